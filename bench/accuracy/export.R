# Writes lazy-loaded data sets of an installed R package as UTF-8 CSV (used by bench/accuracy/build.ts).
# Usage: Rscript --vanilla export.R <package> <outdir> <dataset>=<table> ...
# As R users write CSV: write.csv's defaults (NA written as NA, text quoted, factors as their labels,
# dates ISO 8601), without row names.
args <- commandArgs(trailingOnly = TRUE)
pkg <- args[1]
out <- args[2]
suppressPackageStartupMessages(library(pkg, character.only = TRUE))
for (item in args[-(1:2)]) {
  parts <- strsplit(item, "=", fixed = TRUE)[[1]]
  d <- as.data.frame(get(parts[1], envir = asNamespace(pkg)))
  write.csv(d, file.path(out, paste0(parts[2], ".csv")), row.names = FALSE, fileEncoding = "UTF-8")
}
