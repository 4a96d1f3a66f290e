namespace HybridOps.Postgres;
