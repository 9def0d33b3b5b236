-- Subject 5: Managed_SmartCar_Item_BuyList_Info (docs/business-rules.md#subject-5-item-purchases, Hive 6.114).
-- Business rule, unchanged: inner join of SmartCar_Master_Over18 with the buy list on car_number;
-- biz_month = month. Operational fix: the original hard-coded month = '202003'; the month is now the
-- parameter ${biz_month} (yyyyMM) and only that partition is overwritten.
INSERT OVERWRITE TABLE Managed_SmartCar_Item_BuyList_Info PARTITION (biz_month = '${biz_month}')
SELECT
    m.car_number, m.sex, m.age, m.marriage, m.region, m.job, m.car_capacity, m.car_year, m.car_model,
    b.item, b.score
FROM SmartCar_Master_Over18 m
JOIN SmartCar_Item_BuyList b ON m.car_number = b.car_number
WHERE b.month = '${biz_month}';
