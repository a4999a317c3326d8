import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'

/** The time now (ms), ticking every `everyMs`: one timer per component that shows clocks. */
export function useNow(everyMs = 1000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    timer = setInterval(() => (now.value = Date.now()), everyMs)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return now
}
