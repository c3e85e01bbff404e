//! `ssis`: the command-line tool. All logic lives in [`ssis_service::cli`];
//! `ssis exec ...` goes to the package runner.

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if args.first().is_some_and(|a| a == "exec") {
        std::process::exit(ssis_service::runner::exec_main(&args[1..]));
    }
    std::process::exit(ssis_service::cli::main());
}
