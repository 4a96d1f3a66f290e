namespace HybridOps.Lab;

/// <summary>
/// The node script that runs s3rver for the lab: the built-in S3RVER/S3RVER key pair revoked and the
/// lab's generated pair registered (read from the environment, then removed from it), TLS with the
/// lab certificate, path-style only, the lab bucket created at start. Written to the lab dir by `up`.
/// </summary>
internal static class S3rverLauncher
{
    public const string Script = """
        'use strict';
        // Written by hyops lab up. argv: node_modules address port directory key cert bucket.
        const fs = require('fs');
        const path = require('path');
        const [modules, address, port, directory, key, cert, bucket] = process.argv.slice(2);
        const S3rver = require(path.join(modules, 's3rver'));
        const AWSAccount = require(path.join(modules, 's3rver', 'lib', 'models', 'account'));
        AWSAccount.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
        AWSAccount.DUMMY_ACCOUNT.createKeyPair(process.env.HYOPS_S3_ACCESS_KEY, process.env.HYOPS_S3_SECRET_KEY);
        delete process.env.HYOPS_S3_ACCESS_KEY;
        delete process.env.HYOPS_S3_SECRET_KEY;
        fs.mkdirSync(directory, { recursive: true });
        const server = new S3rver({
          address, port: Number(port), directory, key: fs.readFileSync(key), cert: fs.readFileSync(cert),
          silent: true, vhostBuckets: false, configureBuckets: [{ name: bucket, configs: [] }],
        });
        server.run().then(
          a => console.log(`s3rver listening on https://${a.address}:${a.port}`),
          e => { console.error(e); process.exit(1); });
        process.on('SIGTERM', () => server.close(() => process.exit(0)));
        """;
}
