namespace HybridOps.Modules;
