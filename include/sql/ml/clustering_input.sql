-- Customer-segment clustering input (docs/analyses.md#customer-segments, Hive 7.82), from smartcar_master (all ages).
-- Unchanged derivations: capacity class (< 2000 소형, < 3000 중형, < 4000 대형), year class by
-- 2016 - car_year (<= 4 NEW, <= 8 NORMAL, else OLD; B2's code, not MC's <= 2), age decade.
SELECT
    car_number,
    CASE WHEN CAST(car_capacity AS INT) < 2000 THEN '소형'
         WHEN CAST(car_capacity AS INT) < 3000 THEN '중형'
         WHEN CAST(car_capacity AS INT) < 4000 THEN '대형' END AS car_capacity_class,
    CASE WHEN 2016 - CAST(car_year AS INT) <= 4 THEN 'NEW'
         WHEN 2016 - CAST(car_year AS INT) <= 8 THEN 'NORMAL'
         ELSE 'OLD' END AS car_year_class,
    car_model,
    sex,
    CAST(floor(CAST(age AS INT) * 0.1) * 10 AS INT) AS age_decade,
    marriage,
    job,
    region
FROM smartcar_master
