#!/bin/sh
# Run by `mvn verify` (cli module): unpacks the distribution archives into target/dist-check and runs the launcher
# from another directory and through a symlink, as a user would after `tar xf ... && ln -s`. Then again with a
# cache directory that cannot be written: the command must still work, only without a class-data archive.
# Nothing here talks to any network.
set -eu
target=$1
version=$2
JAVA=${JAVA:-$3}
export JAVA
work=$target/dist-check
rm -rf "$work"
mkdir -p "$work/unpacked" "$work/zip" "$work/bin" "$work/cache" "$work/elsewhere"

tar -xzf "$target/openport-$version.tar.gz" -C "$work/unpacked"
home=$work/unpacked/openport-$version
for f in bin/openport bin/openport.cmd lib/openport.jar lib/cds.sh man/man1/openport.1 \
        completions/openport.bash completions/_openport completions/openport.fish LICENSE NOTICE; do
    [ -f "$home/$f" ] || { echo "check-dist: $f missing from the tar.gz" >&2; exit 1; }
done
[ -x "$home/bin/openport" ] || { echo "check-dist: bin/openport is not executable" >&2; exit 1; }
if command -v unzip >/dev/null 2>&1; then
    unzip -q "$target/openport-$version.zip" -d "$work/zip"
    [ -f "$work/zip/openport-$version/lib/openport.jar" ] || { echo "check-dist: zip lacks the jar" >&2; exit 1; }
fi

ln -s "$home/bin/openport" "$work/bin/openport"
cd "$work/elsewhere"
OPENPORT_CACHE_DIR=$work/cache "$work/bin/openport" --help > help.txt
grep -q "Usage: openport" help.txt || { echo "check-dist: --help printed no usage" >&2; exit 1; }
OPENPORT_CACHE_DIR=$work/cache "$work/bin/openport" --version | grep -q "^openport $version" \
    || { echo "check-dist: --version does not say $version" >&2; exit 1; }
find "$work/cache" -name openport.jsa -o -name openport.aot | grep -q . || { echo "check-dist: no class-data archive made" >&2; exit 1; }

# a cache directory that cannot be made (under a file; chmod would not stop root): no archive, still runs
OPENPORT_CACHE_DIR=$work/elsewhere/help.txt/cache "$work/bin/openport" --version | grep -q "^openport $version" \
    || { echo "check-dist: --version failed when the archive could not be written" >&2; exit 1; }
echo "check-dist: openport-$version.tar.gz and .zip unpack, bin/openport runs (with and without an archive)"
