//! Writes N generated migrations: `gen <dir> <n>` (see `retort_bench::generate`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(Ok(n))) = (args.first(), args.get(1).map(|n| n.parse::<usize>())) else {
        eprintln!("usage: gen <dir> <n>");
        std::process::exit(2);
    };
    match retort_bench::write_generated(dir.as_ref(), n) {
        Ok(bytes) => println!("wrote {n} migrations ({bytes} bytes) to {dir}"),
        Err(e) => {
            eprintln!("error: cannot write to {dir}: {e}");
            std::process::exit(1);
        }
    }
}
