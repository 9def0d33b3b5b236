-- Item purchases of one month by car owners aged 18+ (docs/analyses.md#impala-queries: "item buy list by biz_month").
SELECT car_number, sex, age, region, job, item, score, biz_month
FROM Managed_SmartCar_Item_BuyList_Info
WHERE biz_month = '${biz_month}'
ORDER BY car_number, item;
