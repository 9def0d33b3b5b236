-- Subject 2 mart (docs/business-rules.md#subject-2-driving-mart, Hive 6.99): master columns, driving columns, reg_date;
-- by biz_date.
CREATE TABLE IF NOT EXISTS Managed_SmartCar_Drive_Info (
    car_number string,
    sex string,
    age string,
    marriage string,
    region string,
    job string,
    car_capacity string,
    car_year string,
    car_model string,
    speed_pedal string,
    break_pedal string,
    steer_angle string,
    direct_light string,
    speed string,
    area_number string,
    reg_date string
)
PARTITIONED BY (biz_date string)
STORED AS PARQUET;
