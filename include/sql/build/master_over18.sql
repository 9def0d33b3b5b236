-- SmartCar_Master_Over18 (docs/business-rules.md#over-18-master): every master row with age >= 18 (age is a string
-- column; the comparison casts it to a number as Hive does). Whole-table overwrite: rerunnable.
INSERT OVERWRITE TABLE SmartCar_Master_Over18
SELECT car_number, sex, age, marriage, region, job, car_capacity, car_year, car_model
FROM SmartCar_Master
WHERE age >= 18;
