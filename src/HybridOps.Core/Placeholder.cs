namespace HybridOps.Core;
