-- Subject 5 mart (docs/business-rules.md#subject-5-item-purchases, Hive 6.113): master columns, item, score; by
-- biz_month.
CREATE TABLE IF NOT EXISTS Managed_SmartCar_Item_BuyList_Info (
    car_number string,
    sex string,
    age string,
    marriage string,
    region string,
    job string,
    car_capacity string,
    car_year string,
    car_model string,
    item string,
    score string
)
PARTITIONED BY (biz_month string)
STORED AS PARQUET;
