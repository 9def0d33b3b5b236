-- Item buy list (docs/data-formats.md#item-buy-list, Hive 6.60): comma-delimited text, loaded unchanged.
CREATE EXTERNAL TABLE IF NOT EXISTS SmartCar_Item_BuyList (
    car_number string,
    item string,
    score string,
    month string
)
ROW FORMAT DELIMITED FIELDS TERMINATED BY ','
STORED AS TEXTFILE
LOCATION '${landing}/buy-list';
