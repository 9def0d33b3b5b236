-- Subject 3: Managed_SmartCar_Symptom_Info, abnormal driving patterns
-- (docs/business-rules.md#subject-3-abnormal-driving, Hive 6.103). Parameter: ${working_day} = simulation date.
-- Business rules, unchanged:
--   t1  per car, that day: average speed_pedal and break_pedal (string columns averaged as numbers)
--   t2  per car, that day: count of sharp turns (steer_angle L2, L3, R2, R3); INNER join to t1, so a
--       car without any sharp turn is not written
--   t3  global averages of speed_pedal and break_pedal over all rows of all dates
--   t4  population standard deviation, across cars, of per-car averages taken over all dates
--   symptom = 'abnormal' when |car average - global average| / std > 2, else 'normal'
--   steer   = 'abnormal' when the sharp-turn count > 2000, else 'normal'
-- "All dates" is read as-of the run: all dates up to and including ${working_day}. The original ran
-- each day in date order, so this is what it computed; it also makes a rerun or a backfill of a past
-- date give the same rows however many later dates exist. A std of 0 or NULL divides to NULL
-- (Hive semantics) and the label is then 'normal'.
-- Operational fix: the original appended (INSERT INTO); this overwrites the date's partition.
INSERT OVERWRITE TABLE Managed_SmartCar_Symptom_Info PARTITION (biz_date = '${working_day}')
SELECT
    t1.car_number,
    cast(t1.speed_p_avg AS string) AS speed_p_avg,
    CASE WHEN abs(t1.speed_p_avg - t3.speed_p_avg_all) / t4.speed_p_std > 2 THEN 'abnormal' ELSE 'normal' END
        AS speed_p_symptom,
    cast(t1.break_p_avg AS string) AS break_p_avg,
    CASE WHEN abs(t1.break_p_avg - t3.break_p_avg_all) / t4.break_p_std > 2 THEN 'abnormal' ELSE 'normal' END
        AS break_p_symptom,
    cast(t2.steer_a_cnt AS string) AS steer_a_cnt,
    CASE WHEN t2.steer_a_cnt > 2000 THEN 'abnormal' ELSE 'normal' END AS steer_p_symptom
FROM (
    SELECT car_number, avg(speed_pedal) AS speed_p_avg, avg(break_pedal) AS break_p_avg
    FROM Managed_SmartCar_Drive_Info
    WHERE biz_date = '${working_day}'
    GROUP BY car_number
) t1
JOIN (
    SELECT car_number, count(*) AS steer_a_cnt
    FROM Managed_SmartCar_Drive_Info
    WHERE biz_date = '${working_day}'
      AND steer_angle IN ('L2', 'L3', 'R2', 'R3')
    GROUP BY car_number
) t2 ON t1.car_number = t2.car_number
CROSS JOIN (
    SELECT avg(speed_pedal) AS speed_p_avg_all, avg(break_pedal) AS break_p_avg_all
    FROM Managed_SmartCar_Drive_Info
    WHERE biz_date <= '${working_day}'
) t3
CROSS JOIN (
    SELECT stddev_pop(car_speed_p_avg) AS speed_p_std, stddev_pop(car_break_p_avg) AS break_p_std
    FROM (
        SELECT car_number, avg(speed_pedal) AS car_speed_p_avg, avg(break_pedal) AS car_break_p_avg
        FROM Managed_SmartCar_Drive_Info
        WHERE biz_date <= '${working_day}'
        GROUP BY car_number
    ) per_car
) t4;
