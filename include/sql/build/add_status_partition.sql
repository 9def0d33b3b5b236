-- Register the landing directory of one load date (docs/data-formats.md#hive-external-tables, Hive 6.45/6.70 "add if
-- not exists"). Parameter: ${wrk_date} = load (collection) date yyyyMMdd.
ALTER TABLE SmartCar_Status_Info ADD IF NOT EXISTS PARTITION (wrk_date = '${wrk_date}')
LOCATION '${landing}/car-batch-log/wrk_date=${wrk_date}';
