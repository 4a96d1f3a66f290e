namespace HybridOps.Core.Tests;
