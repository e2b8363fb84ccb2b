fn main() {
    retort_build::track("migrations");
}
