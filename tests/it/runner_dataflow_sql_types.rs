//! SQL Server types and fast-load options in data flows, through the real
//! `ssis exec` and the TDS test server: an OLE DB Source reading
//! varbinary, image, time and datetimeoffset; a fast load of them with
//! the values checked as the BulkLoadBCP rows carried them, one load per
//! `FastLoadMaxInsertCommitSize` rows; `FastLoadOptions` and
//! `FastLoadKeepNulls` as the `INSERT BULK` hints; money, nvarchar(max) and
//! ntext columns bulk loaded, an image and a time(3) column loaded by
//! INSERTs;
//! `AccessMode` 2 (SQL command).

use crate::dataflow_pipe::{Comp, Input, Layout, Output, col, comp, data_flow, pipeline};
use crate::runner_dataflow_sql::{ado, ext_col, mapped, ssis_exec, statements, with_props};
use crate::runner_execute_sql::{
    CM_ID, Cm, Log, logging_server, oledb, package_2008_with, package_2012_with, sql_task,
};
use crate::support::TestServer;
use crate::support::catalog::{Table, column};
use crate::support::tds::{ColType, DONE_COUNT, DONE_MORE, Tokens, Value};
use std::path::PathBuf;

/// The tables as `sys.columns` describes them (validation and the fast
/// load ask): Kinds, the source; KindsCopy, Checked, Priced and Pictured,
/// the fast-load targets.
const TABLES: &[Table] = &[
    (
        "[dbo].[Kinds]",
        &[
            column("Id", "int", 4, 10, 0),
            column("Bin", "varbinary", 8, 0, 0),
            column("Img", "image", 16, 0, 0),
            column("T", "time", 5, 16, 7),
            column("Off", "datetimeoffset", 9, 30, 3),
        ],
    ),
    (
        "[dbo].[KindsCopy]",
        &[
            column("Id", "int", 4, 10, 0),
            column("Bin", "varbinary", 8, 0, 0),
            column("Pic", "varbinary", 100, 0, 0),
            column("T", "time", 5, 16, 7),
            column("Off", "datetimeoffset", 10, 34, 7),
            column("Doc", "xml", -1, 0, 0),
        ],
    ),
    (
        "[dbo].[Checked]",
        &[
            column("Id", "int", 4, 10, 0),
            column("Off", "datetimeoffset", 10, 34, 7),
        ],
    ),
    (
        "[dbo].[Priced]",
        &[
            column("Id", "int", 4, 10, 0),
            column("Price", "money", 8, 19, 4),
            column("Note", "nvarchar", -1, 0, 0),
            column("Remark", "ntext", 16, 0, 0),
        ],
    ),
    (
        "[dbo].[Pictured]",
        &[
            column("Id", "int", 4, 10, 0),
            column("Img", "image", 16, 0, 0),
            column("Note", "nvarchar", 40, 0, 0),
        ],
    ),
    (
        "[dbo].[PicturedKeyed]",
        &[
            column("Id", "int", 4, 10, 0).identity(),
            column("Img", "image", 16, 0, 0),
        ],
    ),
    (
        "[dbo].[Required]",
        &[
            column("Id", "int", 4, 10, 0).not_null(),
            column("Bin", "varbinary", 8, 0, 0)
                .not_null()
                .with_default(),
        ],
    ),
    (
        "[dbo].[Strict]",
        &[
            column("Id", "int", 4, 10, 0).not_null(),
            column("Bin", "varbinary", 8, 0, 0).not_null(),
        ],
    ),
    (
        "[dbo].[Counted]",
        &[column("Id", "int", 4, 10, 0).not_null()],
    ),
    (
        "[dbo].[Timed]",
        &[
            column("Id", "int", 4, 10, 0),
            column("At", "time", 4, 12, 3),
        ],
    ),
];

/// 2024-02-29 23:59:58.500 +05:30: UTC day and time (ms) on the wire.
const OFF_DAYS: u32 = 738_944;
const OFF_MS: u64 = 66_598_500;
/// 13:04:05.1234567 in 100 ns.
const TIME_TICKS: u64 = 470_451_234_567;

const KINDS: [(&str, ColType); 5] = [
    ("Id", ColType::Int),
    ("Bin", ColType::VarBinary(8)),
    ("Img", ColType::Image),
    ("T", ColType::Time(7)),
    ("Off", ColType::DateTimeOffset(3)),
];

/// A server with the table Kinds (two rows, the second all NULL but Id)
/// and the fast-load targets.
fn server() -> (TestServer, Log) {
    logging_server(TABLES, move |sql, _, t: &mut Tokens| {
        if sql == "SELECT * FROM [dbo].[Kinds]" {
            t.col_metadata(&KINDS);
            let first = [
                Value::Int(1),
                Value::Bytes(vec![0x0A, 0xFF]),
                Value::Bytes(vec![0xDE, 0xAD]),
                Value::Time(TIME_TICKS, 7),
                Value::DateTimeOffset(OFF_DAYS, OFF_MS, 3, 330),
            ];
            let second = [
                Value::Int(2),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ];
            for row in [first, second] {
                let cells: Vec<(&Value, ColType)> =
                    row.iter().zip(KINDS.iter().map(|k| k.1)).collect();
                t.row(&cells);
            }
            t.done(DONE_MORE | DONE_COUNT, 2);
        } else if !sql.starts_with("INSERT")
            && !sql.starts_with("BULK LOAD")
            && !sql.starts_with("SET IDENTITY_INSERT")
        {
            return None;
        }
        Some(0)
    })
}

/// DTSID of the ADO.NET connection manager.
const ADO_ID: &str = "{C0000000-0000-0000-0000-000000000002}";

const SRC: &str = "Kinds.Outputs[OLE DB Source Output].Columns";

fn source(table: &str) -> Comp {
    let mut c = with_props(
        comp("Kinds", "Microsoft.OLEDBSource", "OLE DB Source"),
        &[("AccessMode", "0"), ("OpenRowset", table)],
    );
    c.conn = Some(("OleDbConnection", "Sales", CM_ID));
    c.outputs.push(Output {
        name: "OLE DB Source Output",
        is_error: false,
        sync: None,
        cols: vec![
            ext_col(col("Id", "dataType=\"i4\"")),
            ext_col(col("Bin", "dataType=\"bytes\" length=\"8\"")),
            ext_col(col("Img", "dataType=\"image\"")),
            ext_col(col("T", "dataType=\"dbTime2\" scale=\"7\"")),
            ext_col(col("Off", "dataType=\"dbTimeStampOffset\" scale=\"3\"")),
        ],
    });
    c
}

/// An OLE DB Destination `name` with `props`, reading `cols` (source
/// column, table column, table column's type attributes).
fn destination(
    name: &'static str,
    props: &[(&'static str, &str)],
    cols: &[(&'static str, &'static str, &'static str)],
) -> Comp {
    let mut c = with_props(
        comp(name, "Microsoft.OLEDBDestination", "OLE DB Destination"),
        props,
    );
    c.conn = Some(("OleDbConnection", "Sales", CM_ID));
    c.inputs.push(Input {
        name: "OLE DB Destination Input",
        error_disp: "FailComponent",
        cols: cols
            .iter()
            .map(|(from, to, _)| mapped(&format!("{SRC}[{from}]"), from, to))
            .collect(),
        external: cols.iter().map(|(_, to, ty)| (*to, *ty)).collect(),
    });
    c
}

/// Kinds -> Multicast -> each destination `dests` builds; the package in
/// both layouts.
fn packages(
    dir: &std::path::Path,
    server: &TestServer,
    dests: impl Fn() -> Vec<Comp>,
) -> Vec<PathBuf> {
    let cms = [oledb(server), ado(server)];
    [Layout::Ssdt, Layout::Bids2008]
        .into_iter()
        .map(|layout| {
            let mut multicast = comp("Fan Out", "Microsoft.Multicast", "Multicast");
            multicast.inputs.push(Input {
                name: "Multicast Input 1",
                error_disp: "FailComponent",
                cols: Vec::new(),
                external: Vec::new(),
            });
            let mut paths = vec![(
                "Kinds Out",
                "Kinds.Outputs[OLE DB Source Output]".to_string(),
                "Fan Out.Inputs[Multicast Input 1]".to_string(),
            )];
            let dests = dests();
            let outputs = [
                "Multicast Output 1",
                "Multicast Output 2",
                "Multicast Output 3",
                "Multicast Output 4",
                "Multicast Output 5",
            ];
            let path_names = ["To 1", "To 2", "To 3", "To 4", "To 5"];
            for (i, d) in dests.iter().enumerate() {
                multicast.outputs.push(Output {
                    name: outputs[i],
                    is_error: false,
                    sync: Some("Multicast Input 1"),
                    cols: Vec::new(),
                });
                paths.push((
                    path_names[i],
                    format!("Fan Out.Outputs[{}]", outputs[i]),
                    format!("{}.Inputs[{}]", d.name, d.inputs[0].name),
                ));
            }
            let mut comps = vec![source("[dbo].[Kinds]"), multicast];
            comps.extend(dests);
            let tasks = vec![data_flow(pipeline(layout, &comps, &paths))];
            let (name, text) = match layout {
                Layout::Ssdt => ("types_2012.dtsx", package_2012_with(&cms, &[], &tasks, &[])),
                Layout::Bids2008 => ("types_2008.dtsx", package_2008_with(&cms, &[], &tasks, &[])),
            };
            let path = dir.join(name);
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

fn kinds_copy(commit_size: &str, table: &str) -> Comp {
    destination(
        "Write Kinds",
        &[
            ("AccessMode", "3"),
            ("OpenRowset", table),
            ("FastLoadKeepIdentity", "false"),
            ("FastLoadKeepNulls", "false"),
            ("FastLoadOptions", "TABLOCK,CHECK_CONSTRAINTS,ORDER(Id ASC)"),
            ("FastLoadMaxInsertCommitSize", commit_size),
        ],
        &[
            ("Id", "Id", "dataType=\"i4\""),
            ("Bin", "Bin", "dataType=\"bytes\" length=\"8\""),
            ("Img", "Pic", "dataType=\"bytes\" length=\"100\""),
            ("T", "T", "dataType=\"dbTime2\" scale=\"7\""),
            ("Off", "Off", "dataType=\"dbTimeStampOffset\" scale=\"7\""),
        ],
    )
}

#[test]
fn binary_time_and_offset_read_from_sql_server_and_bulk_loaded_one_commit_per_row() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for pkg in packages(dir.path(), &server, || {
        vec![kinds_copy("1", "[dbo].[KindsCopy]")]
    }) {
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        // Every option goes with the load; the unmapped Doc is not named.
        assert!(!out.contains("not sent"), "{out}");
        // FastLoadMaxInsertCommitSize 1: a load (and commit) per row.
        let inserts = statements(&log, "INSERT BULK [dbo].[KindsCopy] (");
        assert_eq!(inserts.len(), 2, "{out}");
        // (tiberius declares time and datetimeoffset without their scale;
        // the rows' COLMETADATA carries it.)
        assert!(
            inserts.iter().all(|(s, _)| s.ends_with(
                "[Pic] varbinary(100), [T] time, [Off] datetimeoffset) WITH (CHECK_CONSTRAINTS, TABLOCK, ORDER([Id] ASC))"
            )),
            "{inserts:?}"
        );
        let loads: Vec<Vec<Value>> = statements(&log, "BULK LOAD")
            .into_iter()
            .map(|s| s.1)
            .collect();
        assert_eq!(
            loads,
            [
                vec![
                    Value::Int(1),
                    Value::Bytes(vec![0x0A, 0xFF]),
                    Value::Bytes(vec![0xDE, 0xAD]),
                    Value::Time(TIME_TICKS, 7),
                    Value::DateTimeOffset(OFF_DAYS, OFF_MS * 10_000, 7, 330),
                ],
                vec![
                    Value::Int(2),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::Null
                ],
            ]
        );
        assert!(out.contains("Write Kinds: wrote 2 rows."), "{out}");
    }
    // The default commit size commits the buffer's one load; 0 commits
    // once at the end, the loads in one transaction.
    for (size, transaction) in [("2147483647", false), ("0", true)] {
        let pkg = &packages(dir.path(), &server, || {
            vec![kinds_copy(size, "[dbo].[KindsCopy]")]
        })[0];
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(pkg);
        assert_eq!(code, 0, "{out}");
        let order: Vec<String> = log
            .lock()
            .unwrap()
            .iter()
            .map(|(s, _)| s.split(" (").next().unwrap_or("").to_string())
            .filter(|s| s.contains("TRANSACTION") || s.contains("BULK"))
            .collect();
        let load = [
            "INSERT BULK [dbo].[KindsCopy]",
            "BULK LOAD [dbo].[KindsCopy]",
        ]
        .map(String::from);
        let expected = if transaction {
            [
                vec!["BEGIN TRANSACTION".to_string()],
                load.to_vec(),
                vec!["COMMIT TRANSACTION".to_string()],
            ]
            .concat()
        } else {
            load.to_vec()
        };
        assert_eq!(order, expected, "commit size {size}");
    }
}

/// An ADO.NET Destination into KindsCopy committing every `batch_size` rows.
fn ado_kinds_copy(batch_size: &str) -> Comp {
    let mut c = with_props(
        comp(
            "Copy Kinds",
            "Microsoft.SqlServer.Dts.Pipeline.ADONETDestination, Microsoft.SqlServer.ADONETDest, Version=13.0.0.0, Culture=neutral, PublicKeyToken=89845dcd8080cc91",
            "ADO NET Destination",
        ),
        &[
            ("TableOrViewName", "\"dbo\".\"KindsCopy\""),
            ("BatchSize", batch_size),
        ],
    );
    c.conn = Some(("IDbConnection", "SalesAdo", ADO_ID));
    let oledb = kinds_copy("0", "");
    c.inputs.push(Input {
        name: "ADO NET Destination Input",
        ..oledb.inputs.into_iter().next().unwrap()
    });
    c
}

#[test]
fn ado_net_destination_bulk_loads_the_types_one_batch_per_batch_size() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for (batch_size, loads) in [("1", 2), ("0", 1)] {
        for pkg in packages(dir.path(), &server, || vec![ado_kinds_copy(batch_size)]) {
            log.lock().unwrap().clear();
            let (code, out) = ssis_exec(&pkg);
            assert_eq!(code, 0, "{}: {out}", pkg.display());
            assert!(!out.contains("not sent"), "{out}");
            let values: Vec<Value> = statements(&log, "BULK LOAD")
                .into_iter()
                .flat_map(|s| s.1)
                .collect();
            assert_eq!(statements(&log, "BULK LOAD").len(), loads, "{out}");
            assert_eq!(values[3], Value::Time(TIME_TICKS, 7));
            assert_eq!(
                values[4],
                Value::DateTimeOffset(OFF_DAYS, OFF_MS * 10_000, 7, 330)
            );
        }
    }
}

fn checked(keep_nulls: &str) -> Comp {
    destination(
        "Write Checked",
        &[
            ("AccessMode", "3"),
            ("OpenRowset", "[dbo].[Checked]"),
            ("FastLoadKeepNulls", keep_nulls),
            (
                "FastLoadOptions",
                "CHECK_CONSTRAINTS,FIRE_TRIGGERS,ROWS_PER_BATCH=500,ORDER([Off] DESC, Id)",
            ),
        ],
        &[
            ("Id", "Id", "dataType=\"i4\""),
            ("Off", "Off", "dataType=\"dbTimeStampOffset\" scale=\"7\""),
        ],
    )
}

/// A fast load (`AccessMode` 3) `name` into `table` with default options.
fn fast_into(
    name: &'static str,
    table: &str,
    cols: &[(&'static str, &'static str, &'static str)],
) -> Comp {
    destination(name, &[("AccessMode", "3"), ("OpenRowset", table)], cols)
}

fn priced() -> Comp {
    let cols = [
        ("Id", "Price", "dataType=\"cy\""),
        ("T", "Note", "dataType=\"nText\""),
        ("Off", "Remark", "dataType=\"nText\""),
    ];
    fast_into("Write Priced", "[dbo].[Priced]", &cols)
}

fn pictured() -> Comp {
    let cols = [
        ("Id", "Id", "dataType=\"i4\""),
        ("Img", "Img", "dataType=\"image\""),
        ("T", "Note", "dataType=\"wstr\" length=\"20\""),
    ];
    fast_into("Write Pictured", "[dbo].[Pictured]", &cols)
}

fn timed() -> Comp {
    let cols = [
        ("Id", "Id", "dataType=\"i4\""),
        ("T", "At", "dataType=\"dbTime2\" scale=\"3\""),
    ];
    fast_into("Write Timed", "[dbo].[Timed]", &cols)
}

fn by_command(command: &str) -> Comp {
    destination(
        "Write Command",
        &[("AccessMode", "2"), ("SqlCommand", command)],
        &[
            ("Id", "Id", "dataType=\"i4\""),
            ("Bin", "Bin", "dataType=\"bytes\" length=\"8\""),
        ],
    )
}

#[test]
fn fast_load_options_ride_on_the_bulk_load_and_an_image_column_falls_back_to_inserts() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let offset = Value::DateTimeOffset(OFF_DAYS, OFF_MS * 10_000, 7, 330);
    for keep_nulls in ["false", "true"] {
        let dests = || {
            vec![
                checked(keep_nulls),
                priced(),
                pictured(),
                timed(),
                by_command("SELECT Id, Bin FROM dbo.Target WHERE 1 = 0"),
            ]
        };
        for pkg in packages(dir.path(), &server, dests) {
            log.lock().unwrap().clear();
            let (code, out) = ssis_exec(&pkg);
            assert_eq!(code, 0, "{}: {out}", pkg.display());
            // The options are the statement's hints, FastLoadKeepNulls as
            // KEEP_NULLS; only ROWS_PER_BATCH cannot be sent.
            let keep = if keep_nulls == "true" {
                ", KEEP_NULLS"
            } else {
                ""
            };
            assert_eq!(
                statements(&log, "INSERT BULK [dbo].[Checked]")[0].0,
                format!(
                    "INSERT BULK [dbo].[Checked] ([Id] int, [Off] datetimeoffset) \
                     WITH (CHECK_CONSTRAINTS{keep}, FIRE_TRIGGERS, ORDER([Off] DESC, [Id] ASC))"
                )
            );
            assert!(
                out.contains("fast load into [dbo].[Checked]: ROWS_PER_BATCH=500 not sent"),
                "{out}"
            );
            // money (from an integer), nvarchar(max) and ntext (from a time
            // and a datetimeoffset) are bulk loaded too.
            assert_eq!(
                statements(&log, "INSERT BULK [dbo].[Priced]")[0].0,
                "INSERT BULK [dbo].[Priced] ([Price] money, [Note] nvarchar(max), [Remark] ntext)"
            );
            let load = |table: &str| -> Vec<Vec<Value>> {
                statements(&log, &format!("BULK LOAD {table}"))
                    .into_iter()
                    .map(|s| s.1)
                    .collect()
            };
            let text = |s: &str| Value::Text(s.into());
            assert_eq!(
                load("[dbo].[Checked]"),
                [vec![
                    Value::Int(1),
                    offset.clone(),
                    Value::Int(2),
                    Value::Null
                ]]
            );
            assert_eq!(
                load("[dbo].[Priced]"),
                [vec![
                    Value::Decimal(10_000, 4),
                    text("13:04:05.1234567"),
                    text("2024-02-29 23:59:58.500 +05:30"),
                    Value::Decimal(20_000, 4),
                    Value::Null,
                    Value::Null,
                ]]
            );
            // image has no bulk encoder: INSERTs (no FastLoadKeepNulls:
            // DEFAULT for NULL); the time into a character column as SSIS
            // casts it to a string, not as a datetime2 parameter.
            assert!(
                out.contains("fast load into [dbo].[Pictured] runs as INSERT statements: column 'Img' has type image"),
                "{out}"
            );
            let pictured = statements(&log, "INSERT INTO [dbo].[Pictured]");
            assert_eq!(
                pictured[0].0,
                "INSERT INTO [dbo].[Pictured] ([Id], [Img], [Note]) VALUES (@P1, @P2, @P3), (@P4, DEFAULT, DEFAULT)"
            );
            assert_eq!(
                pictured[0].1,
                [
                    Value::Int(1),
                    Value::Bytes(vec![0xDE, 0xAD]),
                    Value::Text("13:04:05.1234567".into()),
                    Value::Int(2)
                ]
            );
            // time(3): tiberius would declare it as time, that is time(7),
            // which SQL Server refuses for rows of scale 3: INSERTs.
            assert!(
                out.contains("fast load into [dbo].[Timed] runs as INSERT statements: column 'At' is time(3), which the bulk load would declare as time(7)"),
                "{out}"
            );
            assert_eq!(
                statements(&log, "INSERT INTO [dbo].[Timed]")[0].0,
                "INSERT INTO [dbo].[Timed] ([Id], [At]) VALUES (@P1, @P2), (@P3, DEFAULT)"
            );
            assert!(statements(&log, "BULK LOAD [dbo].[Timed]").is_empty());
            // AccessMode 2: a row at a time into the SELECT's table.
            let by_command = statements(&log, "INSERT INTO [dbo].[Target]");
            assert_eq!(
                by_command.iter().map(|s| s.1.clone()).collect::<Vec<_>>(),
                [
                    vec![Value::Int(1), Value::Bytes(vec![0x0A, 0xFF])],
                    vec![Value::Int(2), Value::Null]
                ]
            );
        }
    }
    // A command that is not a SELECT from one table is refused by name.
    let join = "SELECT t.Id, t.Bin FROM dbo.Target t JOIN dbo.Other o ON o.Id = t.Id";
    let pkg = &packages(dir.path(), &server, || vec![by_command(join)])[0];
    let (code, out) = ssis_exec(pkg);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Write Command")
            && out.contains("is not a SELECT from one table or view (it has JOIN)"),
        "{out}"
    );
}

#[test]
fn identity_values_kept_through_inserts_switch_identity_insert_on_for_the_session() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    for keep in ["true", "false"] {
        let dest = || {
            vec![destination(
                "Write Keyed",
                &[
                    ("AccessMode", "3"),
                    ("OpenRowset", "[dbo].[PicturedKeyed]"),
                    ("FastLoadKeepIdentity", keep),
                ],
                &[
                    ("Id", "Id", "dataType=\"i4\""),
                    ("Img", "Img", "dataType=\"image\""),
                ],
            )]
        };
        for pkg in packages(dir.path(), &server, dest) {
            log.lock().unwrap().clear();
            let (code, out) = ssis_exec(&pkg);
            // The test server, as SQL Server, refuses an explicit identity
            // value unless the session (not an sp_executesql call) set
            // IDENTITY_INSERT on for the table.
            assert_eq!(code, 0, "{}: {out}", pkg.display());
            let keyed: Vec<String> = log
                .lock()
                .unwrap()
                .iter()
                .map(|(s, _)| s.clone())
                .filter(|s| s.contains("[dbo].[PicturedKeyed]") && !s.starts_with("SELECT"))
                .collect();
            // Not kept: the identity column is left out, as the bulk load
            // leaves it, and the server numbers the rows.
            let expected: &[&str] = if keep == "true" {
                &[
                    "SET IDENTITY_INSERT [dbo].[PicturedKeyed] ON",
                    "INSERT INTO [dbo].[PicturedKeyed] ([Id], [Img]) VALUES (@P1, @P2), (@P3, DEFAULT)",
                    "SET IDENTITY_INSERT [dbo].[PicturedKeyed] OFF",
                ]
            } else {
                &["INSERT INTO [dbo].[PicturedKeyed] ([Img]) VALUES (@P1), (DEFAULT)"]
            };
            assert_eq!(keyed, expected, "keep {keep}");
        }
    }
}

#[test]
fn a_null_for_a_not_null_column_sends_its_buffer_as_inserts_with_default() {
    let (server, log) = server();
    let dir = tempfile::tempdir().unwrap();
    let dest = || {
        let cols = [
            ("Id", "Id", "dataType=\"i4\""),
            ("Bin", "Bin", "dataType=\"bytes\" length=\"8\""),
        ];
        let id = [("Id", "Id", "dataType=\"i4\"")];
        vec![
            fast_into("Write Required", "[dbo].[Required]", &cols),
            fast_into("Write Counted", "[dbo].[Counted]", &id),
        ]
    };
    for pkg in packages(dir.path(), &server, dest) {
        log.lock().unwrap().clear();
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 0, "{}: {out}", pkg.display());
        // Row 2's Bin is NULL, which the bulk load cannot carry; INSERTs
        // with DEFAULT do what SQL Server's bulk load would: the column's
        // default (Required's Bin has one).
        assert!(
            out.contains("fast load into [dbo].[Required]: rows with NULL for the NOT NULL column 'Bin' go in as INSERT statements"),
            "{out}"
        );
        assert!(statements(&log, "INSERT BULK [dbo].[Required]").is_empty());
        let inserts = statements(&log, "INSERT INTO [dbo].[Required]");
        assert_eq!(
            inserts,
            [(
                "INSERT INTO [dbo].[Required] ([Id], [Bin]) VALUES (@P1, @P2), (@P3, DEFAULT)"
                    .to_string(),
                vec![Value::Int(1), Value::Bytes(vec![0x0A, 0xFF]), Value::Int(2)]
            )]
        );
        assert!(out.contains("Write Required: wrote 2 rows."), "{out}");
        // Without a NULL, a NOT NULL int (INT4, fixed length, as SQL Server
        // describes it) is bulk loaded.
        assert_eq!(
            statements(&log, "INSERT BULK [dbo].[Counted]")[0].0,
            "INSERT BULK [dbo].[Counted] ([Id] int)"
        );
        assert_eq!(
            statements(&log, "BULK LOAD [dbo].[Counted]")[0].1,
            [Value::Int(1), Value::Int(2)]
        );
    }
    // Without a default, DEFAULT is NULL: SQL Server refuses the row
    // (515), as its bulk load would, and the input's disposition (fail)
    // applies.
    let strict = || {
        let cols = [
            ("Id", "Id", "dataType=\"i4\""),
            ("Bin", "Bin", "dataType=\"bytes\" length=\"8\""),
        ];
        vec![fast_into("Write Strict", "[dbo].[Strict]", &cols)]
    };
    for pkg in packages(dir.path(), &server, strict) {
        let (code, out) = ssis_exec(&pkg);
        assert_eq!(code, 1, "{}: {out}", pkg.display());
        assert!(
            out.contains("Write Strict")
                && out.contains(
                    "Cannot insert the value NULL into column 'Bin', table '[dbo].[Strict]'"
                ),
            "{out}"
        );
    }
}

/// Against a real SQL Server (`SSIS_TEST_SQLSERVER`, an ADO-style
/// connection string with a SQL login that may create tables): the same
/// types read and bulk loaded (a load per row, TABLOCK, CHECK_CONSTRAINTS
/// and ORDER), and a second bulk load keeping identity values into a table
/// with a CHECK constraint and nvarchar(max), ntext and varbinary(max)
/// columns; then checked by statements that fail unless every value
/// arrived whole. (Not run where this was written: no SQL Server there.)
#[test]
fn binary_time_and_offset_round_trip_on_a_real_server_when_configured() {
    let Ok(cs) = std::env::var("SSIS_TEST_SQLSERVER") else {
        eprintln!(
            "runner_dataflow_sql_types: SSIS_TEST_SQLSERVER not set, the real-server run is skipped"
        );
        return;
    };
    if cs.trim().is_empty() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cm = Cm {
        name: "Sales",
        id: CM_ID,
        creation: "OLEDB".into(),
        connection_string: format!("Provider=SQLNCLI11.1;{cs}"),
    };
    let drop = "IF OBJECT_ID('dbo.ssis_test_kinds') IS NOT NULL DROP TABLE dbo.ssis_test_kinds; \
                IF OBJECT_ID('dbo.ssis_test_kinds_copy') IS NOT NULL DROP TABLE dbo.ssis_test_kinds_copy; \
                IF OBJECT_ID('dbo.ssis_test_keyed') IS NOT NULL DROP TABLE dbo.ssis_test_keyed;";
    let setup = format!(
        "{drop} CREATE TABLE dbo.ssis_test_kinds (Id int, Bin varbinary(8), Img image, T time(7), Off datetimeoffset(3)); \
         INSERT INTO dbo.ssis_test_kinds VALUES (1, 0x0AFF, 0xDEAD, '13:04:05.1234567', '2024-02-29 23:59:58.500 +05:30'), \
         (2, NULL, NULL, NULL, NULL); \
         CREATE TABLE dbo.ssis_test_kinds_copy (Id int, Bin varbinary(8), \
         Pic varbinary(100), T time(7), Off datetimeoffset(7), Doc xml); \
         CREATE TABLE dbo.ssis_test_keyed (Id int IDENTITY(100, 1) PRIMARY KEY CHECK (Id > 0), \
         Note nvarchar(max), Remark ntext, Pic varbinary(max));"
    );
    let check = "IF (SELECT COUNT(*) FROM dbo.ssis_test_kinds_copy WHERE Id = 1 AND Bin = 0x0AFF AND Pic = 0xDEAD \
                 AND T = '13:04:05.1234567' AND Off = '2024-02-29 23:59:58.500 +05:30' \
                 AND DATEPART(TZOFFSET, Off) = 330) &lt;&gt; 1 \
                 OR (SELECT COUNT(*) FROM dbo.ssis_test_kinds_copy WHERE Id = 2 AND Bin IS NULL AND Off IS NULL) &lt;&gt; 1 \
                 RAISERROR('the copied values differ', 16, 1); \
                 IF (SELECT COUNT(*) FROM dbo.ssis_test_keyed WHERE Id = 1 AND Note = N'13:04:05.1234567' \
                 AND CAST(Remark AS nvarchar(max)) = N'2024-02-29 23:59:58.500 +05:30' AND Pic = 0xDEAD) \
                 &lt;&gt; 1 \
                 OR (SELECT COUNT(*) FROM dbo.ssis_test_keyed WHERE Id = 2 AND Note IS NULL AND Remark IS NULL \
                 AND Pic IS NULL) \
                 &lt;&gt; 1 \
                 RAISERROR('the keyed values differ', 16, 1)";
    let task = |name: &'static str, sql: &str| {
        sql_task(name, &format!("SQLTask:SqlStatementSource=\"{sql}\""), "")
    };
    // Identity values kept, every hint but the batch sizes, and
    // nvarchar(max), ntext and varbinary(max) columns in one bulk load.
    let keyed = destination(
        "Write Keyed",
        &[
            ("AccessMode", "3"),
            ("OpenRowset", "[dbo].[ssis_test_keyed]"),
            ("FastLoadKeepIdentity", "true"),
            ("FastLoadKeepNulls", "true"),
            (
                "FastLoadOptions",
                "TABLOCK,CHECK_CONSTRAINTS,FIRE_TRIGGERS,ORDER(Id ASC)",
            ),
        ],
        &[
            ("Id", "Id", "dataType=\"i4\""),
            ("T", "Note", "dataType=\"nText\""),
            ("Off", "Remark", "dataType=\"nText\""),
            ("Img", "Pic", "dataType=\"image\""),
        ],
    );
    let mut fan_out = comp("Fan Out", "Microsoft.Multicast", "Multicast");
    fan_out.inputs.push(Input {
        name: "Multicast Input 1",
        error_disp: "FailComponent",
        cols: Vec::new(),
        external: Vec::new(),
    });
    for name in ["Multicast Output 1", "Multicast Output 2"] {
        fan_out.outputs.push(Output {
            name,
            is_error: false,
            sync: Some("Multicast Input 1"),
            cols: Vec::new(),
        });
    }
    let comps = vec![
        source("[dbo].[ssis_test_kinds]"),
        fan_out,
        kinds_copy("1", "[dbo].[ssis_test_kinds_copy]"),
        keyed,
    ];
    let paths = vec![
        (
            "Kinds Out",
            "Kinds.Outputs[OLE DB Source Output]".to_string(),
            "Fan Out.Inputs[Multicast Input 1]".to_string(),
        ),
        (
            "To Copy",
            "Fan Out.Outputs[Multicast Output 1]".to_string(),
            "Write Kinds.Inputs[OLE DB Destination Input]".to_string(),
        ),
        (
            "To Keyed",
            "Fan Out.Outputs[Multicast Output 2]".to_string(),
            "Write Keyed.Inputs[OLE DB Destination Input]".to_string(),
        ),
    ];
    let tasks = vec![
        task("Setup", &setup),
        data_flow(pipeline(Layout::Ssdt, &comps, &paths)),
        task("Check", check),
        task("Cleanup", drop),
    ];
    let pkg = dir.path().join("real_types_2012.dtsx");
    std::fs::write(&pkg, package_2012_with(&[cm], &[], &tasks, &[])).unwrap();
    let (code, out) = ssis_exec(&pkg);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Write Kinds: wrote 2 rows."), "{out}");
    assert!(out.contains("Write Keyed: wrote 2 rows."), "{out}");
    assert!(!out.contains("runs as INSERT statements"), "{out}");
}
