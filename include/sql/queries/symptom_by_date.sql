-- Abnormal-driving mart for one date (docs/analyses.md#impala-queries, Impala 7.34; casts of Hive 6.105).
SELECT car_number,
       cast(speed_p_avg AS int) AS speed_p_avg, speed_p_symptom,
       cast(break_p_avg AS float) AS break_p_avg, break_p_symptom,
       cast(steer_a_cnt AS int) AS steer_a_cnt, steer_p_symptom,
       biz_date
FROM Managed_SmartCar_Symptom_Info
WHERE biz_date = '${biz_date}'
ORDER BY car_number;
