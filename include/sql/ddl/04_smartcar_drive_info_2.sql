-- One simulation date of driving events copied out of HBase DriverCarInfo (docs/data-formats.md#hive-external-tables,
-- Hive 6.97). As in the original, wrk_date here is the first 8 characters of r_date (the simulation date).
-- The copy task writes one Parquet file per partition and then adds the partition.
CREATE EXTERNAL TABLE IF NOT EXISTS SmartCar_Drive_Info_2 (
    r_key string,
    r_date string,
    car_number string,
    speed_pedal string,
    break_pedal string,
    steer_angle string,
    direct_light string,
    speed string,
    area_number string
)
PARTITIONED BY (wrk_date string)
STORED AS PARQUET
LOCATION '${landing}/drive-log';
