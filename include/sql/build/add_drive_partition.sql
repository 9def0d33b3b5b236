-- Register the Parquet copy of one simulation date's driving events (Hive 6.98's target partition).
-- Parameter: ${working_day} = simulation date yyyyMMdd.
ALTER TABLE SmartCar_Drive_Info_2 ADD IF NOT EXISTS PARTITION (wrk_date = '${working_day}')
LOCATION '${landing}/drive-log/wrk_date=${working_day}';
