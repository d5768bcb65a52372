# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vfiokit(8): commands, verbs, options (read from the
# program's own --help, so they never drift), profiles, and PCI device
# addresses and vendor:device ids from sysfs, under --root when the line
# has one.

# _vfiokit_root: the --root of the line being completed, or "".
_vfiokit_root() {
	local i w
	for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
		((i == COMP_CWORD)) && continue
		w=${COMP_WORDS[i]}
		case $w in
		--root | -r)
			# bash splits --root=DIR at the '=' (COMP_WORDBREAKS).
			[ "${COMP_WORDS[i + 1]}" = = ] && ((i++))
			printf '%s\n' "${COMP_WORDS[i + 1]}" && return
			;;
		--root=*) printf '%s\n' "${w#--root=}" && return ;;
		esac
	done
}

# _vfiokit_devices ROOT: the addresses and vendor:device ids under ROOT.
_vfiokit_devices() {
	local d v dv
	for d in "$1"/sys/bus/pci/devices/*; do
		[ -e "$d/vendor" ] || continue
		printf '%s\n' "${d##*/}"
		read -r v <"$d/vendor" && read -r dv <"$d/device" &&
			printf '%s:%s\n' "${v#0x}" "${dv#0x}"
	done | sort -u
}

# _vfiokit_profiles: the profile names kconfig --help lists.
_vfiokit_profiles() {
	"${COMP_WORDS[0]}" kconfig --help 2>/dev/null |
		sed -n '/profiles:$/{n;p}' | tr -s ' ' '\n' | sed '/^$/d'
}

_vfiokit() {
	local cur prev words=() cmd= verb= i w root opts
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	root=$(_vfiokit_root)
	# The command and its verb: the first words that are not options or
	# option values.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--root | -r | --config | --profile | --kernel-dir | --output | -O | --device | \
			--class | --bootloader | --file | --initramfs | --kver | --override | \
			--checks | --profiles-dir | --color)
			[ "${COMP_WORDS[i + 1]}" = = ] && ((i++))
			((i++))
			continue
			;;
		-*) continue ;;
		esac
		if [ -z "$cmd" ]; then
			cmd=$w
		elif [ -z "$verb" ]; then
			verb=$w
		fi
	done
	case $prev in
	--root | -r | --kernel-dir | --output | -O | --profiles-dir)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	--config | --file | --initramfs)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--device | --override)
		mapfile -t COMPREPLY < <(compgen -W "$(_vfiokit_devices "$root")" -- "$cur")
		return
		;;
	--profile)
		local pre=
		[[ $cur == *,* ]] && pre=${cur%,*},
		mapfile -t COMPREPLY < <(compgen -P "$pre" -W "auto $(_vfiokit_profiles)" -- "${cur##*,}")
		return
		;;
	--bootloader)
		mapfile -t COMPREPLY < <(compgen -W "grub kernel-cmdline builtin" -- "$cur")
		return
		;;
	--class)
		mapfile -t COMPREPLY < <(compgen -W "gpu usb net audio storage" -- "$cur")
		return
		;;
	--color)
		mapfile -t COMPREPLY < <(compgen -W "auto always never" -- "$cur")
		return
		;;
	--kver)
		mapfile -t COMPREPLY < <(compgen -W "$(ls "$root/lib/modules" 2>/dev/null)" -- "$cur")
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		opts=$("${COMP_WORDS[0]}" ${cmd:+"$cmd"} ${verb:+"$verb"} --help 2>/dev/null |
			grep -oE -- '(^|[[ ,])--?[a-zA-Z][a-z-]*' | grep -oE -- '--?[a-zA-Z][a-z-]*' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$opts --root --json --quiet --verbose --help" -- "$cur")
		return
	fi
	if [ -z "$cmd" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$("${COMP_WORDS[0]}" --help 2>/dev/null |
			sed -n 's/^  \([a-z]\+\) .*/\1/p')" -- "$cur")
		return
	fi
	case $cmd in
	kconfig) [ -z "$verb" ] && mapfile -t COMPREPLY < <(compgen -W "merge check explain" -- "$cur") ;;
	cmdline) [ -z "$verb" ] && mapfile -t COMPREPLY < <(compgen -W "show lint set remove" -- "$cur") ;;
	modules) [ -z "$verb" ] && mapfile -t COMPREPLY < <(compgen -W "check write" -- "$cur") ;;
	claim | release)
		mapfile -t COMPREPLY < <(compgen -W "$(_vfiokit_devices "$root")" -- "$cur")
		;;
	esac
}
complete -F _vfiokit vfiokit
