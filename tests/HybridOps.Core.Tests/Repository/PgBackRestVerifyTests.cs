using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Core.Tests.Repository;

/// <summary>`pgbackrest verify --output=text --verbose --log-level-console=detail` as pgBackRest 2.45 prints it.</summary>
public sealed class PgBackRestVerifyTests
{
    private const string Head = "2026-12-01 16:09:13.943 P00   INFO: verify command begin 2.45: --config=/x/pgbackrest.conf --stanza=vx --verbose\n";
    private const string End = "2026-12-01 16:09:14.356 P00   INFO: verify command end: completed successfully (415ms)\n";

    private const string TwoHoles = Head + """
        2026-12-01 16:09:14.356 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000000000001, wal stop: 000000010000000000000002
        2026-12-01 16:09:14.356 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000000000004, wal stop: 000000010000000000000004
        2026-12-01 16:09:14.356 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000000000006, wal stop: 0000000100000000000000FF
        2026-12-01 16:09:14.356 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000100000002, wal stop: 000000010000000100000003
        2026-12-01 16:09:14.356 P00   INFO: stanza: vx
                                            status: ok
                                              archiveId: 15-1, total WAL checked: 5, total valid WAL: 5
                                                missing: 0, checksum invalid: 0, size invalid: 0, other: 0
        stanza: vx
        status: ok
          archiveId: 15-1, total WAL checked: 5, total valid WAL: 5
            missing: 0, checksum invalid: 0, size invalid: 0, other: 0
          backup: 20261201-160714F, status: valid, total files checked: 964, total valid files: 964
            missing: 0, checksum invalid: 0, size invalid: 0, other: 0

        """ + End;

    [Fact]
    public void Parse_TwoRangesOfOneTimeline_AreAGapNamingTheMissingSegments()
    {
        var v = PgBackRestVerify.Parse(TwoHoles);
        v.Ranges.Count.ShouldBe(4);
        v.Error.ShouldBeFalse();
        v.InvalidFiles.ShouldBe(0);
        v.Gaps.Select(g => (g.MissingFrom, g.MissingTo)).ShouldBe(
        [
            ("000000010000000000000003", "000000010000000000000003"),
            ("000000010000000000000005", "000000010000000000000005"),
            ("000000010000000100000000", "000000010000000100000001"),
        ]);
        v.Result!.ShouldStartWith("stanza: vx; status: ok; archiveId: 15-1, total WAL checked: 5");
        v.Result.ShouldContain("backup: 20261201-160714F, status: valid");
    }

    [Fact]
    public void GapsFrom_TheLatestBackupStart_LeavesOutTheHolesBeforeIt()
    {
        var v = PgBackRestVerify.Parse(TwoHoles);
        v.GapsFrom("000000010000000000000004").Select(g => g.MissingFrom).ShouldBe(["000000010000000000000005", "000000010000000100000000"]);
        v.GapsFrom("000000010000000100000002").ShouldBeEmpty();
        v.Covers("000000010000000000000006", "000000010000000000000008").ShouldBeTrue();
        v.Covers("000000010000000000000002", "000000010000000000000004").ShouldBeFalse();
    }

    [Fact]
    public void Parse_ANewTimeline_IsNotAGap()
    {
        var v = PgBackRestVerify.Parse(Head + """
            2026-12-01 16:09:14.356 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000000000001, wal stop: 000000010000000000000007
            2026-12-01 16:09:14.356 P00 DETAIL: archiveId: 15-1, wal start: 000000020000000000000007, wal stop: 000000020000000000000009

            """ + End);
        v.Ranges.Count.ShouldBe(2);
        v.Gaps.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_StatusError_CountsTheInvalidFiles()
    {
        var v = PgBackRestVerify.Parse(Head + """
            2026-12-01 16:07:43.706 P01   INFO: invalid result 15-1/0000000100000000/000000010000000000000003-5273.gz: [29] raised from local-1 protocol: zlib threw error
            2026-12-01 16:07:44.027 P00 DETAIL: archiveId: 15-1, wal start: 000000010000000000000001, wal stop: 000000010000000000000007
            stanza: vx
            status: error
              archiveId: 15-1, total WAL checked: 7, total valid WAL: 6
                missing: 0, checksum invalid: 0, size invalid: 0, other: 1
              backup: 20261201-160714F, status: invalid, total files checked: 964, total valid files: 962
                missing: 0, checksum invalid: 2, size invalid: 0, other: 0

            """ + End);
        v.Error.ShouldBeTrue();
        v.InvalidFiles.ShouldBe(3);
        v.Gaps.ShouldBeEmpty();
    }

    [Fact]
    public void WithListing_WalksTheRangesOfARepoLsListing_WhenVerifyFoundNoArchive()
    {
        var v = PgBackRestVerify.Parse(Head + "stanza: vx\nstatus: ok\n  archiveId: none found\n" + End).WithListing("15-1", """
            0000000100000000
            0000000100000000/000000010000000000000001-e35001441e115bd72ab63cd03c7b115318a6aeea.gz
            0000000100000000/000000010000000000000002-091fc378bd2f5579225950a31602cc5b1209bff7.gz
            0000000100000000/000000010000000000000002.00000028.backup
            0000000100000000/000000010000000000000003-ba0e365679cd2811277fba24311361d5bb800784.gz
            0000000100000000/000000010000000000000007-43c7bd77911a0a58b068d808d704305d1476705d.gz
            0000000100000000/000000010000000000000008-b88f4a8b53ce9928eab80f726fdc940a5e3d29d0.lz4

            """);
        v.Ranges.Select(r => (r.Start, r.Stop)).ShouldBe([("000000010000000000000001", "000000010000000000000003"), ("000000010000000000000007", "000000010000000000000008")]);
        v.Gaps.Single().MissingFrom.ShouldBe("000000010000000000000004");
        v.Gaps.Single().MissingTo.ShouldBe("000000010000000000000006");
    }
}
