//! The TDS test server itself, driven by tiberius directly: SQL batches,
//! parameter types, errors with number and message, unknown procedures.

use crate::support;

use support::{ADMIN_PASSWORD, ADMIN_USER, TestServer};
use tiberius::{AuthMethod, Client, Config, EncryptionLevel, Uuid};
use tokio::net::TcpStream;
use tokio_util::compat::TokioAsyncWriteCompatExt;

async fn connect(server: &TestServer) -> Client<tokio_util::compat::Compat<TcpStream>> {
    let mut config = Config::new();
    config.host("127.0.0.1");
    config.port(server.port());
    config.database("msdb");
    config.encryption(EncryptionLevel::NotSupported);
    config.authentication(AuthMethod::sql_server(ADMIN_USER, ADMIN_PASSWORD));
    let tcp = TcpStream::connect(("127.0.0.1", server.port()))
        .await
        .unwrap();
    Client::connect(config, tcp.compat_write()).await.unwrap()
}

#[tokio::test]
async fn sql_batches_parameters_and_errors() {
    let server = TestServer::start();
    let mut c = connect(&server).await;

    // A SQL batch of EXEC statements with literals.
    let rows = c
        .simple_query("EXEC msdb.dbo.sp_ssis_listfolders @parentfolderid = NULL")
        .await
        .unwrap()
        .into_first_result()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "the root folder");
    assert_eq!(rows[0].get::<Uuid, _>(0), Some(Uuid::nil()));

    // RPC parameters: uniqueidentifier, nvarchar, then a big varbinary (PLP).
    let root = Uuid::nil();
    c.execute(
        "EXEC msdb.dbo.sp_ssis_addfolder @parentfolderid = @P1, @name = @P2",
        &[&root, &"Ünïcode folder"],
    )
    .await
    .unwrap();
    let folder = c
        .query(
            "EXEC msdb.dbo.sp_ssis_getfolder @name = @P1, @parentfolderid = @P2",
            &[&"ÜNÏCODE FOLDER", &root],
        )
        .await
        .unwrap()
        .into_row()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(folder.get::<&str, _>(1), Some("Ünïcode folder"));
    let folder_id: Uuid = folder.get(0).unwrap();
    let big: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    c.execute(
        "EXEC msdb.dbo.sp_ssis_putpackage @name = @P1, @id = @P2, @description = @P3, \
         @createdate = NULL, @folderid = @P4, @packagedata = @P5, @packageformat = @P6, \
         @packagetype = @P7, @vermajor = @P8, @verminor = @P9, @verbuild = @P10, \
         @vercomments = @P11, @verid = @P12",
        &[
            &"Big",
            &Uuid::nil(),
            &"d",
            &folder_id,
            &big.as_slice(),
            &8i32,
            &5i16,
            &1i32,
            &2i32,
            &3i64,
            &"c",
            &Uuid::nil(),
        ],
    )
    .await
    .unwrap();
    let row = c
        .query(
            "EXEC msdb.dbo.sp_ssis_getpackage @name = @P1, @folderid = @P2",
            &[&"big", &folder_id],
        )
        .await
        .unwrap()
        .into_row()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<&[u8], _>(0), Some(big.as_slice()));
    let list = c
        .query(
            "EXEC msdb.dbo.sp_ssis_listpackages @folderid = @P1",
            &[&folder_id],
        )
        .await
        .unwrap()
        .into_first_result()
        .await
        .unwrap();
    assert_eq!(list[0].get::<i32, _>(5), Some(100_000), "datalength");
    assert_eq!(list[0].get::<i32, _>(8), Some(3), "verbuild");

    // Errors carry number and message; the connection stays usable.
    let e = c
        .execute("EXEC msdb.dbo.sp_nope @x = 1", &[])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(2812), "{e}");
    let e = c
        .execute(
            "EXEC msdb.dbo.sp_ssis_deletefolder @folderid = @P1",
            &[&Uuid::nil()],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(14307), "{e}");
    let e = c
        .execute(
            "EXEC msdb.dbo.sp_ssis_deletefolder @folderid = @P1",
            &[&folder_id],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(14593), "{e}");
    let e = c.simple_query("SELECT 1").await.unwrap_err();
    assert!(e.to_string().contains("only EXEC"), "{e}");
    let rows = c
        .query(
            "EXEC msdb.dbo.sp_ssis_checkexists @name = @P1, @folderid = @P2",
            &[&"BIG", &folder_id],
        )
        .await
        .unwrap()
        .into_first_result()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(server.logins(), 1);
}
