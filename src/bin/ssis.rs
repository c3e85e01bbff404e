//! `ssis`: the command-line tool. All logic lives in [`ssis_service::cli`].

fn main() {
    std::process::exit(ssis_service::cli::main());
}
