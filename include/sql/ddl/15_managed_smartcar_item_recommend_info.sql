-- Item recommendations (docs/analyses.md#item-recommendation: the book's Mahout item-based recommender, three items per
-- car), written by the ML job smartcar/ml/jobs.py as Parquet (score double, rank int) per biz_month; a re-run
-- of a month replaces its partition. Declared here so HiveServer2/Impala users and notebooks can query it.
CREATE TABLE IF NOT EXISTS Managed_SmartCar_Item_Recommend_Info (
    car_number string,
    item string,
    score double,
    `rank` int
)
PARTITIONED BY (biz_month string)
STORED AS PARQUET;
