import { computed, type ComputedRef } from 'vue'
import { useRouter } from 'vue-router'
import { menuFor, type MenuItem } from '@/router/menu'
import { useSessionStore } from '@/stores/session'

/** The current role's menu, from the registered routes' meta. */
export function useMenu(): ComputedRef<MenuItem[]> {
  const router = useRouter()
  const session = useSessionStore()
  return computed(() => menuFor(router.getRoutes(), session.role))
}
