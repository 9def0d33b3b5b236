-- Subject 1: Managed_SmartCar_Status_Info (docs/business-rules.md#subject-1-status-mart, Hive 6.71).
-- Parameter: ${wrk_date} = LOAD date (the Flume collection date), as in the original Subject1 workflow.
-- Business rule (unchanged): inner join of SmartCar_Master_Over18 with the status log on car_number
-- (cars under 18 and unknown cars disappear), biz_date = first 8 characters of reg_date, i.e. the
-- simulation date; the 240000 stamp keeps its own day because only the first 8 characters count.
-- Operational fix: the original overwrote each biz_date partition with the rows of ONE load, so a
-- business day delivered in two loads lost the first. Here every biz_date that load ${wrk_date}
-- touches is rebuilt from all loads, and only those partitions are overwritten (dynamic partitions).
SET hive.exec.dynamic.partition=true;
SET hive.exec.dynamic.partition.mode=nonstrict;

INSERT OVERWRITE TABLE Managed_SmartCar_Status_Info PARTITION (biz_date)
SELECT
    m.car_number, m.sex, m.age, m.marriage, m.region, m.job, m.car_capacity, m.car_year, m.car_model,
    s.tire_fl, s.tire_fr, s.tire_bl, s.tire_br,
    s.light_fl, s.light_fr, s.light_bl, s.light_br,
    s.engine, s.`break`, s.battery,
    s.reg_date,
    substring(s.reg_date, 0, 8) AS biz_date
FROM SmartCar_Master_Over18 m
JOIN SmartCar_Status_Info s ON m.car_number = s.car_number
LEFT SEMI JOIN (
    SELECT DISTINCT substring(reg_date, 0, 8) AS biz_date
    FROM SmartCar_Status_Info
    WHERE wrk_date = '${wrk_date}'
) touched ON substring(s.reg_date, 0, 8) = touched.biz_date;
