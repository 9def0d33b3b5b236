-- Subject 4 mart (docs/business-rules.md#subject-4-emergency-checks, Hive 6.110). Unpartitioned append in the original;
-- partition overwrite per biz_date here.
CREATE TABLE IF NOT EXISTS Managed_SmartCar_Emergency_Check_Info (
    car_number string,
    tire_check string,
    light_check string,
    engine_check string,
    break_check string,
    battery_check string
)
PARTITIONED BY (biz_date string)
STORED AS PARQUET;
