# Sourced by integration scripts that write elvisor configurations on the fly
# (exit-status.sh, rogue.sh). docs/configuration.md describes the properties.
#
#   vm_node NAME IMAGE CPUS MEMORY [PROPERTY...]
#       one VM node with one vCPU: CPUS is the physical CPU list ("0" or
#       "0 1"), MEMORY its RAM size as a 32-bit cell, each PROPERTY one more
#       line as written in a DTS (console; or bootargs = "...";)
#   vm_config FILE NODE...
#       a whole configuration holding the given VM nodes
vm_node() {
    local name=$1 image=$2 cpus=$3 memory=$4 prop
    shift 4
    echo "        $name {"
    echo "            vcpus = <1>;"
    echo "            memory-size = <$memory>;"
    echo "            kernel = /incbin/(\"$image\");"
    echo "            cpus = <$cpus>;"
    for prop in "$@"; do echo "            $prop"; done
    echo "        };"
}
vm_config() {
    local f=$1
    shift
    { echo "/dts-v1/;"; echo "/ {"; echo '    compatible = "elvisor,config";'; echo "    vms {"
      printf '%s\n' "$@"; echo "    };"; echo "};"; } >"$f"
}
