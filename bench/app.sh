# Sourced by bench/startup.sh and bench/startup_steps.sh: sets app=(...), the
# command that runs app $name on $runtime, building it when needed. Demo is
# the e2e demo app (tests/e2e/apps/Demo); Hello and ManyAssemblies are
# bench/apps/, built into $build/bench/apps (net10 only).
apps=$build/tests/e2e/apps
case $name in
    Demo)
        [[ -d $apps/$runtime ]] || tests/e2e/build_apps.sh tests/e2e "$apps" >/dev/null
        case $runtime in
            net10) app=(dotnet "$apps/net10/Demo.dll") ;;
            net8) app=("$apps/net8/Demo") ;;
            *) echo "unknown runtime $runtime" >&2; exit 2 ;;
        esac ;;
    Hello | ManyAssemblies)
        [[ $runtime == net10 ]] || { echo "$name runs on net10 only" >&2; exit 2; }
        out=$build/bench/apps/$name
        if [[ ! -f $out/$name.dll || -n $(find "bench/apps/$name" -newer "$out/$name.dll" -type f) ]]; then
            rm -rf "$build/bench/apps/src" && mkdir -p "$build/bench/apps" && cp -r bench/apps "$build/bench/apps/src"
            dotnet build "$build/bench/apps/src/$name/$name.csproj" -c Release -o "$out" -nologo -v quiet >/dev/null
        fi
        app=(dotnet "$out/$name.dll") ;;
    *) echo "unknown app $name (Demo, Hello or ManyAssemblies)" >&2; exit 2 ;;
esac
