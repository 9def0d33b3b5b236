-- Driving area analysis (docs/analyses.md#impala-queries, Impala 7.35): per area, the car with the highest average
-- speed (cast to int) on ${biz_date}. Ties share rank 1 and are all shown.
SELECT area_number, car_number, avg_speed
FROM (
    SELECT area_number, car_number, avg_speed,
           rank() OVER (PARTITION BY area_number ORDER BY avg_speed DESC) AS rnk
    FROM (
        SELECT area_number, car_number, cast(avg(speed) AS int) AS avg_speed
        FROM Managed_SmartCar_Drive_Info
        WHERE biz_date = '${biz_date}'
        GROUP BY area_number, car_number
    ) per_car
) ranked
WHERE rnk = 1
ORDER BY area_number, car_number;
