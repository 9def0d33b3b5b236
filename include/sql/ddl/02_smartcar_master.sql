-- Car master (docs/data-formats.md#car-master, Hive 6.58): pipe-delimited UTF-8 text, loaded unchanged.
CREATE EXTERNAL TABLE IF NOT EXISTS SmartCar_Master (
    car_number string,
    sex string,
    age string,
    marriage string,
    region string,
    job string,
    car_capacity string,
    car_year string,
    car_model string
)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '|'
STORED AS TEXTFILE
LOCATION '${landing}/car-master';
