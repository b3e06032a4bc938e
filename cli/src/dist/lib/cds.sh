# Sourced by bin/openport (and the source tree's launcher). `openport_archive JAVA JAR` sets OPENPORT_ARCHIVE_OPTS
# to the JVM options that use a class-data archive for this jar and this JDK, making the archive first when there
# is none yet (or the jar or the JDK is newer than it). Leaves it empty (the command runs without an archive) when
# the archive cannot be made or written.
#
# JDK 25+: an AOT cache (-XX:AOTCache, JEP 483/514). Older JDKs: a static AppCDS archive (-XX:SharedClassListFile +
# -Xshare:dump), which starts faster than a dynamic one. Both are trained on the real paths by
# `java -cp openport.jar dev.openport.cli.Training`: map, list, external-ip and unmap over NAT-PMP and UPnP against
# fake gateways it starts on 127.0.0.1, in one JVM; nothing leaves the host.
#
# The common case (an archive exists) forks nothing: every start-up millisecond counts here.

openport_archive() {
    OPENPORT_ARCHIVE_OPTS=
    _java=$1
    _jar=$2
    # the launcher's tuning, also in the training runs: archives are checked against the flags they were made with
    _tune="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    case $_java in
        */*) _javabin=$_java ;;
        *) _javabin=$(command -v "$_java" 2>/dev/null) || return 0 ;;
    esac
    # one archive per jar and JDK: the directory mirrors both paths (no hashing, so no fork); a jar or a JDK newer
    # than the archive makes a new one
    _base=${OPENPORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/openport}
    _dir=$_base/archives$_jar$_javabin
    for _file in "$_dir/openport.aot" "$_dir/openport.jsa"; do
        if [ -s "$_file" ] && [ "$_file" -nt "$_jar" ] && [ "$_file" -nt "$_javabin" ]; then
            case $_file in
                *.aot) OPENPORT_ARCHIVE_OPTS="-XX:AOTCache=$_file -Xlog:aot=off -Xlog:cds=off" ;;
                *) OPENPORT_ARCHIVE_OPTS="-Xshare:auto -XX:SharedArchiveFile=$_file -Xlog:cds=off -Xlog:cds+dynamic=off" ;;
            esac
            return 0
        fi
    done
    mkdir -p "$_dir" 2>/dev/null && [ -w "$_dir" ] || return 0
    _feature=$("$_javabin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    case $_feature in
        ''|1.*) _feature=0 ;;
    esac
    _tmp=$_dir/openport.$$.tmp
    if [ "$_feature" -ge 25 ] 2>/dev/null; then
        # shellcheck disable=SC2086
        "$_javabin" $_tune -XX:AOTCacheOutput="$_tmp" -Xlog:aot=off -Xlog:cds=off -cp "$_jar" \
            dev.openport.cli.Training >/dev/null 2>&1 || true
        _file=$_dir/openport.aot
    else
        # shellcheck disable=SC2086
        "$_javabin" $_tune -XX:DumpLoadedClassList="$_tmp.classlist" -Xshare:off -cp "$_jar" \
            dev.openport.cli.Training >/dev/null 2>&1 || true
        if [ -s "$_tmp.classlist" ]; then
            # shellcheck disable=SC2086
            "$_javabin" $_tune -Xshare:dump -XX:SharedClassListFile="$_tmp.classlist" -XX:SharedArchiveFile="$_tmp" \
                -Xlog:cds=off -cp "$_jar" >/dev/null 2>&1 || true
        fi
        rm -f "$_tmp.classlist"
        _file=$_dir/openport.jsa
    fi
    if [ -s "$_tmp" ] && mv -f "$_tmp" "$_file" 2>/dev/null; then
        openport_archive "$_java" "$_jar"
    else
        rm -f "$_tmp"
    fi
}
