//! Property tests: no input makes the package readers panic, and a cut
//! anywhere in a package is an error for the full read.

use proptest::prelude::*;
use ssis_service::ErrorKind;
use ssis_service::package::{read_details_bytes, read_metadata_bytes};
use std::path::PathBuf;

fn valid_packages() -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        "examples/Packages/Hello.dtsx",
        "examples/Packages/Sales/Daily Load.dtsx",
        "examples/Packages/Sales/Monthly Close.dtsx",
        "examples/Packages/Maintenance/Cleanup.dtsx",
        "tests/fixtures/packages/bom-crlf.dtsx",
        "tests/fixtures/packages/encrypted-all-password.dtsx",
        "tests/fixtures/packages/format3-nested.dtsx",
    ]
    .iter()
    .map(|rel| std::fs::read(root.join(rel)).unwrap())
    .collect()
}

/// Both readers return (never panic), and errors are package or I/O errors.
fn check(bytes: &[u8]) {
    for result in [
        read_metadata_bytes(bytes, "input").map(|_| ()),
        read_details_bytes(bytes, "input").map(|_| ()),
    ] {
        if let Err(e) = result {
            assert_eq!(e.kind, ErrorKind::Package, "{e}");
            assert!(e.message.contains("input"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes);
    }

    #[test]
    fn markup_like_input_never_panics(s in "[<>/=\"a-zA-Z: &;#x0-9\\-\n]{0,400}") {
        check(s.as_bytes());
        let wrapped = format!(
            "<DTS:Executable xmlns:DTS=\"www.microsoft.com/SqlServer/Dts\">{s}</DTS:Executable>"
        );
        check(wrapped.as_bytes());
    }

    #[test]
    fn truncations_never_panic_and_fail_the_full_read(which in 0usize..7, frac in 0.0f64..1.0) {
        let all = valid_packages();
        let bytes = &all[which % all.len()];
        let cut = ((bytes.len() as f64) * frac) as usize;
        let head = &bytes[..cut];
        check(head);
        // The full read must notice any cut before the root's end tag.
        let end = bytes.iter().rposition(|&b| b == b'>').unwrap() + 1;
        if cut < end {
            prop_assert!(read_details_bytes(head, "input").is_err());
        }
    }

    #[test]
    fn byte_flips_never_panic(which in 0usize..7, at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let all = valid_packages();
        let mut bytes = all[which % all.len()].clone();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        check(&bytes);
    }
}
