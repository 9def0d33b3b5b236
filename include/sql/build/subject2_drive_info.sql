-- Subject 2: Managed_SmartCar_Drive_Info (docs/business-rules.md#subject-2-driving-mart, Hive 6.100).
-- Parameter: ${working_day} = simulation date. Inner join of SmartCar_Master_Over18 with the HBase copy
-- SmartCar_Drive_Info_2 on car_number, rows whose r_date starts with ${working_day}; reg_date = r_date.
-- The partition is overwritten as a whole (static partition), so a rerun gives the same rows.
INSERT OVERWRITE TABLE Managed_SmartCar_Drive_Info PARTITION (biz_date = '${working_day}')
SELECT
    m.car_number, m.sex, m.age, m.marriage, m.region, m.job, m.car_capacity, m.car_year, m.car_model,
    d.speed_pedal, d.break_pedal, d.steer_angle, d.direct_light, d.speed, d.area_number,
    d.r_date AS reg_date
FROM SmartCar_Master_Over18 m
JOIN SmartCar_Drive_Info_2 d ON m.car_number = d.car_number
WHERE d.wrk_date = '${working_day}'
  AND substring(d.r_date, 0, 8) = '${working_day}';
