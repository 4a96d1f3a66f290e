namespace HybridOps.Lab;
