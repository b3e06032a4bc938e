# Sourced by bin/openport (and the source tree's launcher): `openport_archive JAVA JAR` prints the JVM options that
# use a class-data archive for this jar and this JDK, making it first when there is none for them yet. Prints
# nothing (and the command runs without an archive) when the archive cannot be made or written.
#
# JDK 25+: an AOT cache (-XX:AOTCache, JEP 483/514), trained on the real paths. Older JDKs: a static AppCDS
# archive (-XX:SharedClassListFile + -Xshare:dump), which starts faster than a dynamic one.
# Training: `java -cp openport.jar dev.openport.cli.Training` maps, lists and unmaps against fake NAT-PMP and UPnP
# gateways on 127.0.0.1, in-process; nothing leaves the host.

openport_archive() {
    _java=$1
    _jar=$2
    # the launcher's tuning, also in the training runs: archives are checked against the flags they were made with
    _tune="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    _javabin=$(command -v "$_java" 2>/dev/null || echo "$_java")
    _real=$(readlink -f "$_javabin" 2>/dev/null || echo "$_javabin")
    # one archive per jar (path, size, mtime) and JDK (binary path and mtime): a new jar or JDK makes a new one
    _key=$( (echo "$_jar"; ls -lL --time-style=+%s "$_jar" "$_real" 2>/dev/null) | cksum | cut -d' ' -f1)
    _dir=${OPENPORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/openport}
    # an archive made earlier for this key: no need to ask the JDK its version (that costs a JVM start)
    if [ -s "$_dir/openport-$_key.aot" ]; then
        echo "-XX:AOTCache=$_dir/openport-$_key.aot -Xlog:aot=off -Xlog:cds=off"
        return 0
    fi
    if [ -s "$_dir/openport-$_key.jsa" ]; then
        echo "-Xshare:auto -XX:SharedArchiveFile=$_dir/openport-$_key.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
        return 0
    fi
    _feature=$("$_real" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    case $_feature in
        ''|1.*) _feature=0 ;;
    esac
    if [ "$_feature" -ge 25 ] 2>/dev/null; then
        _file=$_dir/openport-$_key.aot
        if [ ! -s "$_file" ]; then
            mkdir -p "$_dir" 2>/dev/null && [ -w "$_dir" ] || return 0
            _tmp=$_file.$$.tmp
            # shellcheck disable=SC2086
            "$_java" $_tune -XX:AOTCacheOutput="$_tmp" -Xlog:aot=off -Xlog:cds=off -cp "$_jar" \
                dev.openport.cli.Training >/dev/null 2>&1 || true
            if [ -s "$_tmp" ]; then mv -f "$_tmp" "$_file"; else rm -f "$_tmp"; return 0; fi
        fi
        # (an AOT cache excludes every -Xshare option)
        echo "-XX:AOTCache=$_file -Xlog:aot=off -Xlog:cds=off"
        return 0
    fi
    _file=$_dir/openport-$_key.jsa
    if [ ! -s "$_file" ]; then
        mkdir -p "$_dir" 2>/dev/null && [ -w "$_dir" ] || return 0
        _tmp=$_file.$$.tmp
        # shellcheck disable=SC2086
        "$_java" $_tune -XX:DumpLoadedClassList="$_tmp.classlist" -Xshare:off -cp "$_jar" \
            dev.openport.cli.Training >/dev/null 2>&1 || true
        if [ -s "$_tmp.classlist" ]; then
            # shellcheck disable=SC2086
            "$_java" $_tune -Xshare:dump -XX:SharedClassListFile="$_tmp.classlist" -XX:SharedArchiveFile="$_tmp" \
                -Xlog:cds=off -cp "$_jar" >/dev/null 2>&1 || true
        fi
        rm -f "$_tmp.classlist"
        if [ -s "$_tmp" ]; then mv -f "$_tmp" "$_file"; else rm -f "$_tmp"; return 0; fi
    fi
    echo "-Xshare:auto -XX:SharedArchiveFile=$_file -Xlog:cds=off -Xlog:cds+dynamic=off"
}
