-- Cars needing urgent inspection on one date (docs/analyses.md#impala-queries: "emergency check by date").
SELECT car_number, tire_check, light_check, engine_check, break_check, battery_check, biz_date
FROM Managed_SmartCar_Emergency_Check_Info
WHERE biz_date = '${biz_date}'
ORDER BY car_number;
