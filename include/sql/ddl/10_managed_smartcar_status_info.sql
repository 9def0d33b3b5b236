-- Subject 1 mart (docs/business-rules.md#subject-1-status-mart, Hive 6.69): master columns, status columns, reg_date;
-- by biz_date.
CREATE TABLE IF NOT EXISTS Managed_SmartCar_Status_Info (
    car_number string,
    sex string,
    age string,
    marriage string,
    region string,
    job string,
    car_capacity string,
    car_year string,
    car_model string,
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
    battery string,
    reg_date string
)
PARTITIONED BY (biz_date string)
STORED AS PARQUET;
