-- Subject 3 mart (docs/business-rules.md#subject-3-abnormal-driving, Hive 6.102). The original was unpartitioned and
-- appended (INSERT INTO), so reruns duplicated rows; here it is partitioned by biz_date and each date is overwritten.
CREATE TABLE IF NOT EXISTS Managed_SmartCar_Symptom_Info (
    car_number string,
    speed_p_avg string,
    speed_p_symptom string,
    break_p_avg string,
    break_p_symptom string,
    steer_a_cnt string,
    steer_p_symptom string
)
PARTITIONED BY (biz_date string)
STORED AS PARQUET;
