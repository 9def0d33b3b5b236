-- Average speed by area on ${biz_date}, fastest first (docs/analyses.md#zeppelin-notebook, Zeppelin 7.45/7.48);
-- ${min_avg_speed} is the HAVING threshold of 7.48 (default 60 there; pass 0 to see every area).
SELECT area_number, avg(speed) AS avg_speed
FROM Managed_SmartCar_Drive_Info
WHERE biz_date = '${biz_date}'
GROUP BY area_number
HAVING avg(speed) >= ${min_avg_speed}
ORDER BY avg_speed DESC, area_number;
