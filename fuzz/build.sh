#!/usr/bin/env bash
# Builds the libFuzzer targets into .build-fuzz/ (git-ignored):
#   fuzz-ingest  every reader through Ingest.read (fuzz/IngestFuzz.swift)
#   fuzz-fit     a fuzzed argument vector + CSV through `scalefit fit` (fuzz/FitFuzz.swift)
# Our modules (ScalefitCore, Ingest, GSL, Fit, Detect, Analysis, Export) are compiled from
# source with -sanitize=fuzzer,address; the third-party ones (ArgumentParser, RealModule,
# swift-crypto) are taken, uninstrumented, from the debug build that `swift build` makes first.
#   fuzz/build.sh [all|ingest]     (ingest: only the modules fuzz-ingest needs)
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT=${1:-all}
B=.build-fuzz
D=.build/debug
mkdir -p "$B/deps"

swift build --product scalefit >/dev/null
for m in ArgumentParser ArgumentParserToolInfo RealModule Crypto CryptoBoringWrapper; do
    cp "$D/Modules/$m.swiftmodule" "$B/deps/"
done
SHIMS=.build/checkouts/swift-numerics/Sources/_NumericsShims/include
SAN="-sanitize=fuzzer,address -O -g -swift-version 6 -parse-as-library"
INC="-I $B -I $B/deps -I Sources/CGSL -I Sources/CSQLite -Xcc -I$SHIMS"

module() {  # name, sources...
    local name=$1; shift
    echo "fuzz/build.sh: $name"
    swiftc $SAN $INC -module-name "$name" -emit-library -static -emit-module \
        -emit-module-path "$B/$name.swiftmodule" -o "$B/lib$name.a" "$@"
}
module ScalefitCore Sources/ScalefitCore/*.swift
module Ingest Sources/Ingest/*.swift
if [ "$WHAT" = all ]; then
    module GSL Sources/GSL/*.swift
    module Fit Sources/Fit/*.swift Sources/Fit/Engine/*.swift Sources/Fit/Expression/*.swift Sources/Fit/Laws/*.swift
    module Detect Sources/Detect/*.swift  # Export's detect report needs it
    module Analysis Sources/Analysis/*.swift  # the fit workflow FitCommand calls
    module Export Sources/Export/*.swift
fi

LIBS="-L$B -lgsl -lgslcblas -lm -lsqlite3"
# swift-crypto (Ingest's SHA-256), as the debug build compiled it.
mapfile -t CRYPTO < <(find "$D"/Crypto.build "$D"/CryptoBoringWrapper.build "$D"/CCryptoBoringSSL.build "$D"/CCryptoBoringSSLShims.build -name '*.o')
echo "fuzz/build.sh: fuzz-ingest"
swiftc $SAN $INC -module-name FuzzIngest fuzz/IngestFuzz.swift "$B/libIngest.a" "$B/libScalefitCore.a" "${CRYPTO[@]}" $LIBS -o "$B/fuzz-ingest"
[ "$WHAT" = all ] || exit 0
echo "fuzz/build.sh: fuzz-fit"
CLI=Sources/scalefit
swiftc $SAN $INC -module-name FuzzFit fuzz/FitFuzz.swift $CLI/FitCommand.swift $CLI/FitFlags.swift $CLI/Figures.swift \
    $CLI/CustomLawArguments.swift $CLI/LawChecksArguments.swift \
    $CLI/IngestCommand.swift $CLI/ListArgument.swift $CLI/SeriesSelection.swift $CLI/ShellQuote.swift \
    "$B/libExport.a" "$B/libAnalysis.a" "$B/libDetect.a" "$B/libFit.a" "$B/libGSL.a" "$B/libIngest.a" "$B/libScalefitCore.a" "${CRYPTO[@]}" \
    "$D"/ArgumentParser.build/*.o "$D"/ArgumentParserToolInfo.build/*.o "$D"/RealModule.build/*.o "$D"/_NumericsShims.build/*.o \
    $LIBS -o "$B/fuzz-fit"
echo "fuzz/build.sh: built $B/fuzz-ingest and $B/fuzz-fit"
