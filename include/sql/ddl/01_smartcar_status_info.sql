-- External lake table over the Flume-style landing of the car status batch log
-- (docs/data-formats.md#hive-external-tables, Hive 6.44).
-- Partitioned by wrk_date = the LOAD (collection) date. Each landed line carries a 14th field, the
-- collection date, which has no column and is ignored, exactly as in the original.
CREATE EXTERNAL TABLE IF NOT EXISTS SmartCar_Status_Info (
    reg_date string,
    car_number string,
    tire_fl string,
    tire_fr string,
    tire_bl string,
    tire_br string,
    light_fl string,
    light_fr string,
    light_bl string,
    light_br string,
    engine string,
    `break` string,
    battery string
)
PARTITIONED BY (wrk_date string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
STORED AS TEXTFILE
LOCATION '${landing}/car-batch-log';
