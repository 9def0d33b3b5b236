-- Classification training set (docs/analyses.md#status-classification, Hive 7.60): 19 attributes plus the status label.
-- Parameters: ${from_date}, ${to_date} (biz_date range, inclusive); the original read every date.
-- Label rule, unchanged: 14 component scores summed; below 6 -> 비정상 (abnormal), else 정상 (normal).
-- Scores are kept in integer tenths (0.1 -> 1) so the threshold is exact on every engine: Hive reads
-- 0.1 as DOUBLE and Spark as DECIMAL, and a sum such as 5.9999999 must not flip a label.
SELECT
    sex, age, marriage, region, job, car_capacity, car_year, car_model,
    tire_fl, tire_fr, tire_bl, tire_br,
    light_fl, light_fr, light_bl, light_br,
    engine, `break`, battery,
    CASE WHEN score_tenths < 60 THEN '비정상' ELSE '정상' END AS status
FROM (
    SELECT *,
        (CASE WHEN CAST(tire_fl AS INT) < 10 THEN 1 WHEN CAST(tire_fl AS INT) < 20 THEN 2
              WHEN CAST(tire_fl AS INT) < 40 THEN 4 ELSE 5 END)
      + (CASE WHEN CAST(tire_fr AS INT) < 10 THEN 1 WHEN CAST(tire_fr AS INT) < 20 THEN 2
              WHEN CAST(tire_fr AS INT) < 40 THEN 4 ELSE 5 END)
      + (CASE WHEN CAST(tire_bl AS INT) < 10 THEN 1 WHEN CAST(tire_bl AS INT) < 20 THEN 2
              WHEN CAST(tire_bl AS INT) < 40 THEN 4 ELSE 5 END)
      + (CASE WHEN CAST(tire_br AS INT) < 10 THEN 1 WHEN CAST(tire_br AS INT) < 20 THEN 2
              WHEN CAST(tire_br AS INT) < 40 THEN 4 ELSE 5 END)
      + (CASE WHEN light_fl = '2' THEN 0 ELSE 5 END)
      + (CASE WHEN light_fr = '2' THEN 0 ELSE 5 END)
      + (CASE WHEN light_bl = '2' THEN 0 ELSE 5 END)
      + (CASE WHEN light_br = '2' THEN 0 ELSE 5 END)
      + (CASE WHEN engine = 'A' THEN 10 WHEN engine = 'B' THEN 5 ELSE 0 END)
      + (CASE WHEN `break` = 'A' THEN 10 WHEN `break` = 'B' THEN 5 ELSE 0 END)
      + (CASE WHEN CAST(battery AS INT) < 20 THEN 2 WHEN CAST(battery AS INT) < 40 THEN 4
              WHEN CAST(battery AS INT) < 60 THEN 6 ELSE 10 END)
      - (CASE WHEN CAST(car_capacity AS INT) < 1500 THEN 3 WHEN CAST(car_capacity AS INT) < 2000 THEN 2 ELSE 1 END)
      - (CASE WHEN CAST(car_year AS INT) < 2005 THEN 3 WHEN CAST(car_year AS INT) < 2010 THEN 2 ELSE 1 END)
      - (CASE WHEN car_model IN ('B', 'D', 'F', 'H') THEN 3 ELSE 0 END)
        AS score_tenths
    FROM managed_smartcar_status_info
    WHERE biz_date BETWEEN '${from_date}' AND '${to_date}'
) scored
