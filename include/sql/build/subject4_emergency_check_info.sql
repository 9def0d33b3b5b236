-- Subject 4: Managed_SmartCar_Emergency_Check_Info, cars needing urgent inspection
-- (docs/business-rules.md#subject-4-emergency-checks, Hive 6.111). Parameter: ${working_day} = simulation date
-- (biz_date of the status mart). Business rules, unchanged: base = distinct cars of the day; each check is left-joined
-- and gives its label or NULL; only cars with at least one check are written.
--   Tire Check     per-car average of any of the four tires < 80
--   Light Check    any record with any light = '2'
--   Engine Check   any record with engine = 'C'
--   Brake Check    any record with break = 'C'
--   Battery Check  per-car average battery < 30
-- Operational fix: the original appended (INSERT INTO); this overwrites the date's partition.
INSERT OVERWRITE TABLE Managed_SmartCar_Emergency_Check_Info PARTITION (biz_date = '${working_day}')
SELECT t1.car_number, t2.tire_check, t3.light_check, t4.engine_check, t5.break_check, t6.battery_check
FROM (
    SELECT DISTINCT car_number
    FROM Managed_SmartCar_Status_Info
    WHERE biz_date = '${working_day}'
) t1
LEFT JOIN (
    SELECT car_number, 'Tire Check' AS tire_check
    FROM Managed_SmartCar_Status_Info
    WHERE biz_date = '${working_day}'
    GROUP BY car_number
    HAVING avg(tire_fl) < 80 OR avg(tire_fr) < 80 OR avg(tire_bl) < 80 OR avg(tire_br) < 80
) t2 ON t1.car_number = t2.car_number
LEFT JOIN (
    SELECT DISTINCT car_number, 'Light Check' AS light_check
    FROM Managed_SmartCar_Status_Info
    WHERE biz_date = '${working_day}'
      AND (light_fl = '2' OR light_fr = '2' OR light_bl = '2' OR light_br = '2')
) t3 ON t1.car_number = t3.car_number
LEFT JOIN (
    SELECT DISTINCT car_number, 'Engine Check' AS engine_check
    FROM Managed_SmartCar_Status_Info
    WHERE biz_date = '${working_day}' AND engine = 'C'
) t4 ON t1.car_number = t4.car_number
LEFT JOIN (
    SELECT DISTINCT car_number, 'Brake Check' AS break_check
    FROM Managed_SmartCar_Status_Info
    WHERE biz_date = '${working_day}' AND `break` = 'C'
) t5 ON t1.car_number = t5.car_number
LEFT JOIN (
    SELECT car_number, 'Battery Check' AS battery_check
    FROM Managed_SmartCar_Status_Info
    WHERE biz_date = '${working_day}'
    GROUP BY car_number
    HAVING avg(battery) < 30
) t6 ON t1.car_number = t6.car_number
WHERE t2.tire_check IS NOT NULL
   OR t3.light_check IS NOT NULL
   OR t4.engine_check IS NOT NULL
   OR t5.break_check IS NOT NULL
   OR t6.battery_check IS NOT NULL;
