use super::*;
use crate::model::xml;
use base64::engine::general_purpose::STANDARD;

/// Project files SSDT saved EncryptSensitiveWithPassword with "ssis123"
/// (tests/corpus/packages/rtumaykin-ssis-build-project, Apache-2.0).
fn corpus(name: &str) -> (Vec<u8>, std::path::PathBuf) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus/packages/rtumaykin-ssis-build-project")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (bytes, path)
}

fn open(name: &str, password: &str) -> Result<Option<xml::Element>> {
    let (bytes, path) = corpus(name);
    let clear = decrypt_document(&bytes, password, &path, &CancelToken::new())?;
    Ok(clear.map(|c| xml::parse(&c, &path).unwrap()))
}

fn find<'a>(el: &'a xml::Element, local: &str) -> Option<&'a xml::Element> {
    if el.local_name() == local {
        return Some(el);
    }
    el.children.iter().find_map(|c| find(c, local))
}

/// The first element whose `Name` attribute is `name`.
fn named<'a>(el: &'a xml::Element, name: &str) -> Option<&'a xml::Element> {
    if el.attr("Name") == Some(name) {
        return Some(el);
    }
    el.children.iter().find_map(|c| named(c, name))
}

#[test]
fn a_connection_managers_password_saved_by_ssdt_is_opened() {
    for (file, value) in [
        ("db-01222.msdb.conmgr", "123345"),
        ("db-01 msdb.conmgr", "Rbylpvfhfekb1"),
    ] {
        let root = open(file, "ssis123")
            .unwrap()
            .expect("something was decrypted");
        let password = find(&root, "Password").unwrap();
        assert_eq!(password.text, value, "{file}");
        assert_eq!(password.attr("Name"), Some("Password"));
        assert_eq!(password.attr("Salt"), None, "{file}");
        // The rest of the file is as it was.
        let data = find(&root, "ObjectData").unwrap();
        assert!(data.children[0].prop("ConnectionString").is_some());
    }
    let root = open("FTP Connection Manager.conmgr", "ssis123")
        .unwrap()
        .unwrap();
    let server_password = named(&root, "ServerPassword").unwrap();
    assert_eq!(server_password.text, "12345");
}

#[test]
fn a_connection_manager_encrypted_whole_becomes_the_manager() {
    let root = open("db-01111.msdb.conmgr", "ssis123").unwrap().unwrap();
    assert_eq!(root.local_name(), "ConnectionManager");
    assert_eq!(root.prop("ObjectName"), Some("db-01111 msdb"));
    assert_eq!(root.attr("Salt"), None);
    assert!(find(&root, "ObjectData").is_some(), "{root:?}");
}

#[test]
fn sensitive_project_parameters_and_the_password_verifier_are_opened() {
    let root = open("Project.params", "ssis123").unwrap().unwrap();
    let values: Vec<&str> = root
        .children
        .iter()
        .filter_map(|p| named(p, "Value").map(|v| v.text.as_str()))
        .collect();
    assert_eq!(values, ["db-01", "msdb"]);
    let root = open("SampleSSISProject.dtproj", "ssis123")
        .unwrap()
        .unwrap();
    assert_eq!(named(&root, "PasswordVerifier").unwrap().text, "SSIS");
}

#[test]
fn a_wrong_password_is_an_error_naming_the_element_and_its_line() {
    for wrong in ["ssis124", "", "SSIS123"] {
        let (bytes, path) = corpus("db-01222.msdb.conmgr");
        let e = decrypt_document(&bytes, wrong, &path, &CancelToken::new()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Package);
        assert!(
            e.message.contains("<DTS:Password Name=\"Password\">")
                && e.message.contains("not the password"),
            "{e}"
        );
        assert_eq!(e.target.as_deref(), Some("/DECRYPT"));
        let shown = e.to_string();
        assert!(shown.contains("db-01222.msdb.conmgr:"), "{shown}");
    }
    let (bytes, path) = corpus("SampleSSISProject.dtproj");
    let e = decrypt_document(&bytes, "nope", &path, &CancelToken::new()).unwrap_err();
    assert!(e.message.contains("PasswordVerifier"), "{e}");
}

#[test]
fn a_document_without_password_encryption_is_left_alone() {
    let text = br#"<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts"><DTS:Password DTS:Name="Password" Sensitive="1" Encrypted="1">AQAAANCMnd8B</DTS:Password></DTS:Executable>"#;
    assert!(
        decrypt_document(text, "pw", Path::new("p.dtsx"), &CancelToken::new())
            .unwrap()
            .is_none()
    );
    assert!(!has_password_encryption(text));
    // A Salt outside the SSIS namespace is not an inline encryption.
    let text = br#"<a xmlns:x="other"><b x:Salt="AAAA" x:IV="AAAAAAAAAAA=">AAAA</b></a>"#;
    assert!(
        decrypt_document(text, "pw", Path::new("p.dtsx"), &CancelToken::new())
            .unwrap()
            .is_none()
    );
}

/// An xmlenc `EncryptedData` of `clear` as SSIS writes it in a package.
fn encrypted_data(password: &str, clear: &str) -> String {
    let iv = [9, 8, 7, 6, 5, 4, 3, 2];
    let mut value = iv.to_vec();
    value.extend(cipher::encrypt(password, iv, clear.as_bytes()));
    format!(
        r#"<EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element" Salt="c2FsdHNhbHQ=" IV="{}" xmlns="http://www.w3.org/2001/04/xmlenc#"><EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#tripledes-cbc" /><CipherData><CipherValue>{}</CipherValue></CipherData></EncryptedData>"#,
        STANDARD.encode(iv),
        STANDARD.encode(value)
    )
}

const PACKAGE: &str = r#"<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:ObjectName="P" DTS:ProtectionLevel="3"><DTS:Property DTS:Name="PackageFormatVersion">8</DTS:Property></DTS:Executable>"#;

#[test]
fn a_package_encrypted_whole_becomes_the_package() {
    // The layout of a real EncryptAllWithPassword package: the document
    // is the EncryptedData.
    let doc = format!(
        "<?xml version=\"1.0\"?>{}",
        encrypted_data("banana", PACKAGE)
    );
    let clear = decrypt_document(
        doc.as_bytes(),
        "banana",
        Path::new("p.dtsx"),
        &CancelToken::new(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        String::from_utf8(clear).unwrap(),
        format!("<?xml version=\"1.0\"?>{PACKAGE}")
    );
    assert!(has_password_encryption(doc.as_bytes()));
    let e = decrypt_document(
        doc.as_bytes(),
        "apple",
        Path::new("p.dtsx"),
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(e.message.contains("does not decrypt the package"), "{e}");
}

#[test]
fn an_encrypted_element_inside_a_package_replaces_its_parent_when_it_is_the_parent() {
    // A sensitive parameter's ParameterValue keeps its element, holding
    // the EncryptedData of the whole property.
    let value = r#"<DTS:Property xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:DataType="8" DTS:Name="ParameterValue">s3cr&amp;t</DTS:Property>"#;
    let password = r#"<DTS:Password xmlns:DTS="www.microsoft.com/SqlServer/Dts" DTS:Name="Password" Sensitive="1">pa55</DTS:Password>"#;
    let doc = format!(
        r#"<DTS:Executable xmlns:DTS="www.microsoft.com/SqlServer/Dts">
<DTS:PackageParameter DTS:ObjectName="Secret" DTS:Sensitive="True"><DTS:Property DTS:Name="ParameterValue">{}</DTS:Property></DTS:PackageParameter>
<DTS:ConnectionManager DTS:ConnectionString="x">{}</DTS:ConnectionManager>
</DTS:Executable>"#,
        encrypted_data("pw", value),
        encrypted_data("pw", password)
    );
    let clear = decrypt_document(
        doc.as_bytes(),
        "pw",
        Path::new("p.dtsx"),
        &CancelToken::new(),
    )
    .unwrap()
    .unwrap();
    let root = xml::parse(&clear, Path::new("p.dtsx")).unwrap();
    let property = &root.children[0].children[0];
    assert_eq!(property.attr("Name"), Some("ParameterValue"));
    assert_eq!(property.text, "s3cr&t");
    assert!(property.children.is_empty(), "{property:?}");
    let manager = &root.children[1];
    assert_eq!(manager.children.len(), 1);
    assert_eq!(manager.children[0].local_name(), "Password");
    assert_eq!(manager.children[0].text, "pa55");
    let e = decrypt_document(
        doc.as_bytes(),
        "pw2",
        Path::new("p.dtsx"),
        &CancelToken::new(),
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("the value encrypted in <DTS:Property Name=\"ParameterValue\">"),
        "{e}"
    );
}

#[test]
fn damaged_cipher_text_is_an_error_not_a_panic() {
    for value in ["", "!!!not base64", "AAAA", "AAAAAAAAAAAAAAAAAAAAAA=="] {
        let doc = format!(
            r#"<a xmlns:SSIS="www.microsoft.com/SqlServer/SSIS"><b SSIS:Salt="AA==" SSIS:IV="AAAAAAAAAAA=">{value}</b></a>"#
        );
        let e = decrypt_document(doc.as_bytes(), "pw", Path::new("p"), &CancelToken::new())
            .unwrap_err();
        assert!(e.message.contains("<b>"), "{value}: {e}");
    }
    // An IV of the wrong length.
    let doc = r#"<a xmlns:SSIS="www.microsoft.com/SqlServer/SSIS"><b SSIS:Salt="AA==" SSIS:IV="AAAA">AAAAAAAAAAA=</b></a>"#;
    assert!(decrypt_document(doc.as_bytes(), "pw", Path::new("p"), &CancelToken::new()).is_err());
}

#[test]
fn an_encrypted_element_inside_another_is_refused_not_a_panic() {
    let inner = r#"<b SSIS:Salt="AA==" SSIS:IV="AAAAAAAAAAA=">AAAAAAAAAAA=</b>"#;
    let doc = format!(
        r#"<a xmlns:SSIS="www.microsoft.com/SqlServer/SSIS"><b SSIS:Salt="AA==" SSIS:IV="AAAAAAAAAAA=">{inner}</b></a>"#
    );
    let e =
        decrypt_document(doc.as_bytes(), "pw", Path::new("p"), &CancelToken::new()).unwrap_err();
    assert!(
        e.message.contains("inside another encrypted element"),
        "{e}"
    );
    let doc = format!(
        "<r>{}</r>",
        encrypted_data("pw", &encrypted_data("pw", "<x/>"))
    );
    // The outer one's clear text holds the inner one: decrypted once, the
    // inner one is left as it is (no recursion), and nothing panics.
    let clear = decrypt_document(doc.as_bytes(), "pw", Path::new("p"), &CancelToken::new())
        .unwrap()
        .unwrap();
    assert!(String::from_utf8(clear).unwrap().contains("<CipherValue>"));
}

#[test]
fn cipher_text_written_with_references_or_cdata_is_read_the_same() {
    let doc = format!("<r>{}</r>", encrypted_data("pw", "<x>1</x>"));
    let start = doc.find("<CipherValue>").unwrap() + "<CipherValue>".len();
    let first = doc[start..].chars().next().unwrap();
    let escaped = format!("{}&#{};{}", &doc[..start], first as u32, &doc[start + 1..]);
    let end = doc.find("</CipherValue>").unwrap();
    let cdata = format!(
        "{}<![CDATA[{}]]>{}",
        &doc[..start],
        &doc[start..end],
        &doc[end..]
    );
    for text in [escaped, cdata] {
        let clear = decrypt_document(text.as_bytes(), "pw", Path::new("p"), &CancelToken::new())
            .unwrap()
            .unwrap();
        assert_eq!(
            String::from_utf8(clear).unwrap(),
            "<r><x>1</x></r>",
            "{text}"
        );
    }
}

#[test]
fn a_wrong_password_in_a_large_package_names_its_line() {
    let rows: String = (0..40_000)
        .map(|i| format!("<v n=\"{i}\">x</v>\n"))
        .collect();
    let doc = format!("<r>\n{rows}{}</r>", encrypted_data("pw", "<x/>"));
    let clear = decrypt_document(doc.as_bytes(), "pw", Path::new("p"), &CancelToken::new())
        .unwrap()
        .unwrap();
    assert!(clear.ends_with(b"<x/></r>"));
    let e =
        decrypt_document(doc.as_bytes(), "pw2", Path::new("p"), &CancelToken::new()).unwrap_err();
    assert!(e.to_string().contains("p:40002:1"), "{e}");
}

#[test]
fn a_canceled_decryption_ends_with_canceled() {
    let doc = format!(
        "<r>{}</r>",
        "<v/>".repeat(10_000) + &encrypted_data("pw", "<x/>")
    );
    let cancel = CancelToken::new();
    cancel.cancel();
    let e = decrypt_document(doc.as_bytes(), "pw", Path::new("p"), &cancel).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Canceled);
}

#[test]
fn a_deep_document_is_refused_as_the_reader_refuses_it() {
    let deep = format!("<r Salt=\"x\">{}", "<a>".repeat(100_000));
    let e =
        decrypt_document(deep.as_bytes(), "pw", Path::new("p"), &CancelToken::new()).unwrap_err();
    assert!(e.message.contains("deeper than 256"), "{e}");
}

#[test]
fn a_salt_that_is_not_base64_is_named_not_taken_for_a_wrong_password() {
    let doc = r#"<r><EncryptedData Salt="not base64!" IV="AAAAAAAAAAA=" xmlns="http://www.w3.org/2001/04/xmlenc#"><EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc" /><CipherData><CipherValue>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=</CipherValue></CipherData></EncryptedData></r>"#;
    let e =
        decrypt_document(doc.as_bytes(), "pw", Path::new("p"), &CancelToken::new()).unwrap_err();
    assert!(e.message.contains("has a Salt that is not base64"), "{e}");
    let doc = doc
        .replace("aes256-cbc", "aes128-gcm")
        .replace("not base64!", "AAAA");
    let e =
        decrypt_document(doc.as_bytes(), "pw", Path::new("p"), &CancelToken::new()).unwrap_err();
    assert!(
        e.message
            .contains("aes128-gcm, which this runner does not decrypt"),
        "{e}"
    );
}
