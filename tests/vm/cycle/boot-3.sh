# Boot 3: after undo, as installed again.
. /vk/lib.sh
cmdline 3
drivers 3
[ "$(cat /proc/cmdline)" = "$(cat $STATE/cmdline.before)" ] && echo "vk-step 3 cmdline as before"
exit 0
