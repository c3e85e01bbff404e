//! Reads the task data (`<DTS:ObjectData>`) of the tasks the runner executes:
//! Execute Package, Execute Process, File System, Execute SQL and Send Mail.

use super::*;

impl Ctx<'_> {
    /// Where a task's text comes from (`value` of the attribute `name` of
    /// `data`; DirectInput when absent).
    fn source_type(
        &self,
        data: &Element,
        value: Option<&str>,
        name: &str,
        path: &str,
    ) -> Result<SqlSourceType> {
        match value.unwrap_or("DirectInput").trim() {
            "DirectInput" | "" => Ok(SqlSourceType::DirectInput),
            "FileConnection" => Ok(SqlSourceType::FileConnection),
            "Variable" => Ok(SqlSourceType::Variable),
            other => Err(self.bad(format!("{path}: {name} '{other}' is unknown"), data.line)),
        }
    }

    pub(super) fn task_data<'e>(
        &self,
        el: &'e Element,
        data: &str,
        path: &str,
    ) -> Result<Option<&'e Element>> {
        let Some(od) = el.child("ObjectData") else {
            return Ok(None);
        };
        match od.child(data) {
            Some(d) => Ok(Some(d)),
            None if od.children.is_empty() => Ok(None),
            None => Err(self.bad(
                format!("{path}: the task data has no <{data}> element"),
                od.line,
            )),
        }
    }

    pub(super) fn read_execute_package(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let data = self.task_data(el, "ExecutePackageTask", path)?;
        let get = |n: &str| -> String {
            data.and_then(|d| d.attr(n).or_else(|| d.child(n).map(|c| c.text.as_str())))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let upr = get("UseProjectReference");
        let use_project_reference = if upr.is_empty() {
            false
        } else {
            boolean(&upr).ok_or_else(|| {
                self.bad(
                    format!("{path}: UseProjectReference '{upr}' is not a boolean"),
                    el.line,
                )
            })?
        };
        let mut parameter_assignments = Vec::new();
        for a in data
            .iter()
            .flat_map(|d| d.children_named("ParameterAssignment"))
        {
            let part = |n: &str| {
                a.child(n)
                    .map(|c| c.text.trim().to_string())
                    .unwrap_or_default()
            };
            let (child, parent) = (part("ParameterName"), part("BindedVariableOrParameterName"));
            if child.is_empty() || parent.is_empty() {
                return Err(self.bad(
                    format!(
                        "{path}: a parameter assignment needs a ParameterName and a \
                         BindedVariableOrParameterName"
                    ),
                    a.line,
                ));
            }
            parameter_assignments.push((child, parent));
        }
        // Clear once the package is decrypted; a value still encrypted (the
        // user key) is one of the package's encrypted values.
        let package_password = data
            .and_then(|d| d.child("PackagePassword"))
            .filter(|p| p.attr("Encrypted").and_then(boolean) != Some(true))
            .map(|p| p.text.clone())
            .filter(|p| !p.is_empty())
            .map(ssis_core::protocol::executions::Secret);
        Ok(ExecutableKind::ExecutePackage(ExecutePackageSpec {
            use_project_reference,
            connection: get("Connection"),
            package_name: get("PackageName"),
            parameter_assignments,
            package_password,
        }))
    }

    pub(super) fn read_execute_process(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let data = self.task_data(el, "ExecuteProcessData", path)?;
        let get = |n: &str| -> Option<String> {
            let d = data?;
            d.attr(n)
                .map(str::to_string)
                .or_else(|| d.child(n).map(|c| c.text.clone()))
        };
        let b = |n: &str, default: bool| -> Result<bool> {
            match get(n) {
                None => Ok(default),
                Some(v) => boolean(&v).ok_or_else(|| {
                    self.bad(format!("{path}: {n} '{v}' is not a boolean"), el.line)
                }),
            }
        };
        let i = |n: &str| -> Result<i64> {
            match get(n) {
                None => Ok(0),
                Some(v) if v.trim().is_empty() => Ok(0),
                Some(v) => int(&v)
                    .ok_or_else(|| self.bad(format!("{path}: {n} '{v}' is not a number"), el.line)),
            }
        };
        let timeout = i("TimeOut")?;
        if timeout < 0 {
            return Err(self.bad(format!("{path}: TimeOut {timeout} is negative"), el.line));
        }
        Ok(ExecutableKind::ExecuteProcess(ExecuteProcessSpec {
            executable: get("Executable").unwrap_or_default(),
            arguments: get("Arguments").unwrap_or_default(),
            working_directory: get("WorkingDirectory").unwrap_or_default(),
            require_full_file_name: b("RequireFullFileName", true)?,
            success_value: i("SuccessValue")?,
            fail_on_return_code: b("FailTaskIfReturnCodeIsNotSuccessValue", true)?,
            timeout_secs: timeout as u64,
            terminate_after_timeout: b("TerminateProcessAfterTimeOut", true)?,
            stdin_variable: get("StandardInputVariable")
                .unwrap_or_default()
                .trim()
                .to_string(),
            stdout_variable: get("StandardOutputVariable")
                .unwrap_or_default()
                .trim()
                .to_string(),
            stderr_variable: get("StandardErrorVariable")
                .unwrap_or_default()
                .trim()
                .to_string(),
        }))
    }

    pub(super) fn read_file_system(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let Some(data) = self.task_data(el, "FileSystemData", path)? else {
            return Ok(ExecutableKind::Unsupported(
                "File System Task has no operation configured".into(),
            ));
        };
        let op_text = data.attr("TaskOperationType").unwrap_or("CopyFile");
        let op = FileSystemOp::parse(op_text).ok_or_else(|| {
            self.bad(
                format!("{path}: TaskOperationType '{op_text}' is unknown"),
                data.line,
            )
        })?;
        let source = |path_attr: &str, var_attr: &str| -> Option<PathSource> {
            let p = data.attr(path_attr)?.trim();
            if p.is_empty() {
                return None;
            }
            if data.attr(var_attr).and_then(boolean) == Some(true) {
                Some(PathSource::Variable(p.to_string()))
            } else {
                Some(PathSource::Connection(p.to_string()))
            }
        };
        Ok(ExecutableKind::FileSystem(FileSystemSpec {
            op,
            source: source("TaskSourcePath", "TaskIsSourceVariable"),
            destination: source("TaskDestinationPath", "TaskIsDestinationVariable"),
            overwrite: data
                .attr("TaskOverwriteDestFile")
                .and_then(boolean)
                .unwrap_or(false),
        }))
    }

    pub(super) fn read_execute_sql(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let Some(data) = self.task_data(el, "SqlTaskData", path)? else {
            return Ok(ExecutableKind::Unsupported(
                "Execute SQL Task has no statement configured".into(),
            ));
        };
        let bad = |msg: String, line: u64| self.bad(format!("{path}: {msg}"), line);
        let source_type = self.source_type(
            data,
            data.attr("SqlStmtSourceType")
                .or_else(|| data.attr("SqlStatementSourceType")),
            "SqlStmtSourceType",
            path,
        )?;
        let result_type = match data
            .attr("ResultType")
            .unwrap_or("ResultSetType_None")
            .trim()
        {
            "ResultSetType_None" | "" => SqlResultType::None,
            "ResultSetType_SingleRow" => SqlResultType::SingleRow,
            "ResultSetType_Rowset" => SqlResultType::Full,
            "ResultSetType_XML" => SqlResultType::Xml,
            other => return Err(bad(format!("ResultType '{other}' is unknown"), data.line)),
        };
        let timeout = match data.attr("TimeOut").map(str::trim) {
            None | Some("") => 0,
            Some(t) => match int(t) {
                Some(n) if n >= 0 => n as u64,
                _ => {
                    return Err(bad(
                        format!("TimeOut '{t}' is not a number of seconds"),
                        data.line,
                    ));
                }
            },
        };
        let mut parameters = Vec::new();
        for p in data.children_named("ParameterBinding") {
            let direction = match p.attr("ParameterDirection").unwrap_or("Input").trim() {
                "Input" | "" => ParamDirection::Input,
                "Output" => ParamDirection::Output,
                "ReturnValue" => ParamDirection::ReturnValue,
                other => {
                    return Err(bad(
                        format!("ParameterDirection '{other}' is unknown"),
                        p.line,
                    ));
                }
            };
            parameters.push(SqlParameterBinding {
                name: p.attr("ParameterName").unwrap_or("").trim().to_string(),
                variable: p.attr("DtsVariableName").unwrap_or("").trim().to_string(),
                direction,
                data_type: p.attr("DataType").and_then(int).unwrap_or(0) as i32,
                size: p.attr("ParameterSize").and_then(int).unwrap_or(-1) as i32,
            });
        }
        let results = data
            .children_named("ResultBinding")
            .map(|r| SqlResultBinding {
                name: r.attr("ResultName").unwrap_or("").trim().to_string(),
                variable: r.attr("DtsVariableName").unwrap_or("").trim().to_string(),
            })
            .collect();
        Ok(ExecutableKind::ExecuteSql(ExecuteSqlSpec {
            connection: data.attr("Connection").unwrap_or("").trim().to_string(),
            source_type,
            source: data.attr("SqlStatementSource").unwrap_or("").to_string(),
            result_type,
            timeout_secs: timeout,
            bypass_prepare: data.attr("BypassPrepare").and_then(boolean).unwrap_or(true),
            is_stored_procedure: data.attr("IsStoredProc").and_then(boolean).unwrap_or(false),
            parameters,
            results,
        }))
    }

    pub(super) fn read_send_mail(&self, el: &Element, path: &str) -> Result<ExecutableKind> {
        let Some(data) = self.task_data(el, "SendMailTaskData", path)? else {
            return Ok(ExecutableKind::Unsupported(
                "Send Mail Task has no message configured".into(),
            ));
        };
        let get = |n: &str| data.attr(n).unwrap_or("").to_string();
        let source_type = self.source_type(
            data,
            data.attr("MessageSourceType"),
            "MessageSourceType",
            path,
        )?;
        Ok(ExecutableKind::SendMail(SendMailSpec {
            smtp_connection: get("SMTPServer").trim().to_string(),
            from: get("From"),
            to: get("To"),
            cc: get("CC"),
            bcc: get("BCC"),
            subject: get("Subject"),
            priority: get("Priority"),
            source_type,
            message_source: get("MessageSource"),
            attachments: get("FileAttachments"),
        }))
    }
}
