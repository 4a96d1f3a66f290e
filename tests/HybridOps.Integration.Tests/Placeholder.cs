namespace HybridOps.Integration.Tests;
