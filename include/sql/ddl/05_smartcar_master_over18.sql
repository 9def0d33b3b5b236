-- Car owners aged 18 or more (docs/business-rules.md#over-18-master; the original built it in spark-shell).
CREATE TABLE IF NOT EXISTS SmartCar_Master_Over18 (
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
STORED AS PARQUET;
